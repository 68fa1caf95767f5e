// Private: RILLMARK_COLD marks code that runs once per stream, block or
// paragraph cut, not per token or byte. In Wasm (clang) it is built for size
// and kept out of line: the package has an 80 KB gzipped budget.
#ifndef RILLMARK_SRC_COLD_H_
#define RILLMARK_SRC_COLD_H_

#if defined(__clang__)
#define RILLMARK_COLD __attribute__((minsize, noinline))
#else
#define RILLMARK_COLD
#endif

#endif  // RILLMARK_SRC_COLD_H_
