// C library functions the shipped binary (scripts/release.sh) defines itself, so that it asks nothing of glibc newer
// than 2.34 (Amazon Linux 2023) although it is built on a newer one: hypot and hypotf (glibc 2.35 gave them a new
// symbol version in libm) and arc4random (glibc 2.36; the static libstdc++ takes it for std::random_device).
// Defined here, the linker takes these. Exact to the last bit is not needed by anything ce computes; no overflow
// for large operands.
#if defined(__linux__)
#include <math.h>
#include <stdint.h>
#include <sys/random.h>
#include "CELibmCompat.h"

uint32_t arc4random(void) {
    uint32_t value = 0;
    // getrandom (glibc 2.25) blocks only until the kernel's pool is first initialised, as arc4random does.
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {}
    return value;
}

double hypot(double x, double y) {
    x = fabs(x);
    y = fabs(y);
    if (isinf(x) || isinf(y)) return INFINITY;
    if (isnan(x) || isnan(y)) return NAN;
    double big = x > y ? x : y;
    double small = x > y ? y : x;
    if (big == 0) return 0;
    double ratio = small / big;
    return big * sqrt(1 + ratio * ratio);
}

float hypotf(float x, float y) { return (float)hypot(x, y); }
#endif

int ce_libm_compat_linked(void) { return 1; }
