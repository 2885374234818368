#ifndef CE_LIBM_COMPAT_H
#define CE_LIBM_COMPAT_H

/// Always 1: referenced by the executable so that the target (its hypot and hypotf) is linked in.
int ce_libm_compat_linked(void);

#endif
