/* FreeBSD: lib/msun/src/math.h (the part used) */
#ifndef _MATH_H_
#define _MATH_H_
#define isnan(x)	__builtin_isnan(x)
#define isinf(x)	__builtin_isinf(x)
double	ceil(double);
double	floor(double);
double	fabs(double);
double	log10(double);
double	pow(double, double);
double	round(double);
double	sqrt(double);
#endif
