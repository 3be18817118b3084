/* SPDX-License-Identifier: Apache-2.0 */
/* The compiler-specific words the SDK needs, as macros in this one header: everything else is plain C99 around
 * them. Defined for GCC and Clang (armclang, Arm Compiler 6, is Clang); another compiler stops the build here
 * with the list of what to define. Function attributes go before the declaration (where C11's _Noreturn and
 * IAR's keywords go too), section placement after the declarator. */
#ifndef FAULTLINE_COMPILER_H
#define FAULTLINE_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)

#define FL_NORETURN __attribute__((noreturn))          /* the function never returns */
#define FL_NOINLINE __attribute__((noinline))          /* keep a real call: its return address means something */
#define FL_USED __attribute__((used))                  /* keep it though only assembly refers to it */
#define FL_SECTION(name) __attribute__((section(name))) /* place a variable in the named section */
#define FL_NAKED __attribute__((naked))                /* no prologue or epilogue: the body is assembly only */
#define FL_ALIAS(target) __attribute__((alias(target))) /* this declaration names the function `target` */
#define FL_PRINTF(fmt, first) __attribute__((format(printf, fmt, first))) /* check calls like printf's */
/* Stop the build with msg when the constant expression cond is false (C11's static assertion, which GCC and Clang
 * also take in C99 mode; __extension__ keeps -pedantic quiet). At file scope or in a block. FL_NOTHING_ keeps
 * glibc's stand-in macro _Static_assert(expr, diagnostic) of strict C99, which drops the message, from expanding. */
#define FL_NOTHING_
#define FL_STATIC_ASSERT(cond, msg) __extension__ _Static_assert FL_NOTHING_(cond, msg)
/* The return address of the function this is written in, as a void *. */
#define FL_RETURN_ADDRESS() __builtin_return_address(0)

/* Read memory as it is, including what AddressSanitizer marks unaddressable (the coredump's writer in host
 * builds: it copies whatever memory a dump captures). Empty without ASan. */
#if defined(__SANITIZE_ADDRESS__)
#define FL_NO_SANITIZE_ADDRESS __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FL_NO_SANITIZE_ADDRESS __attribute__((no_sanitize_address))
#endif
#endif
#ifndef FL_NO_SANITIZE_ADDRESS
#define FL_NO_SANITIZE_ADDRESS
#endif

#else
/*
 * Another compiler: define each macro above for it here (untested by faultline). What they become:
 * IAR (__ICCARM__): FL_NORETURN __noreturn; FL_NOINLINE _Pragma("inline=never") (a pragma goes before the
 *   whole declaration: the SDK writes FL_NOINLINE first); FL_USED __root;
 *   FL_SECTION(name) @ name (IAR's placement, also after the declarator; a .noinit variable also needs
 *   __no_init, or use #pragma location); FL_PRINTF(...) and FL_NO_SANITIZE_ADDRESS empty; FL_STATIC_ASSERT
 *   _Static_assert(cond, msg) in C11 mode, or a typedef of an array of size (cond) ? 1 : -1; FL_RETURN_ADDRESS()
 *   has no builtin: read lr on entry (an intrinsic or a line of assembly). FL_NAKED and FL_ALIAS are used only
 *   by sdk/ports/cortex-m/fl_cortex_m_fault.c, whose entry stub is GNU inline assembly: with IAR it becomes an assembler
 *   file, and the handler names aliases through `#pragma weak HardFault_Handler=fl_cm_fault_entry` and so on.
 * Arm Compiler 5 (armcc, __CC_ARM; with --gnu it defines __GNUC__ and takes the branch above): noreturn,
 *   noinline, used, section and alias exist as __attribute__((...)) as above; FL_RETURN_ADDRESS() is
 *   __return_address(); the naked entry stub becomes an embedded assembler function (__asm void f(void)).
 */
#error "faultline: compiler.h knows GCC and Clang only; define its FL_* macros for this compiler (see the notes)"
#endif

#endif
