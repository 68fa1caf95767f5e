#include "rillmark/token_decoder.h"
#include <gtest/gtest.h>
TEST(TokenDecoderPlaceholder, Builds) { SUCCEED(); }
