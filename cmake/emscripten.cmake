# Our Emscripten toolchain file: wraps Debian's, fixing two 3.1.6 quirks
# (see shared/TOOLCHAIN.md): the test emulator must be plain node without
# --experimental-wasm-threads and without Node 20's global fetch, and the
# optimizer needs NODE_PATH to find Debian's acorn, whatever the caller's env.
find_program(RILLMARK_NODE NAMES node nodejs REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${RILLMARK_NODE};--no-experimental-fetch"
    CACHE STRING "Runs Wasm tests under ctest" FORCE)
set(CMAKE_CXX_LINKER_LAUNCHER "env;NODE_PATH=/usr/share/nodejs" CACHE STRING "" FORCE)
set(CMAKE_C_LINKER_LAUNCHER "env;NODE_PATH=/usr/share/nodejs" CACHE STRING "" FORCE)
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)
