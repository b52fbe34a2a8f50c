/*
 * What a jail's processes may not do that their capabilities would let
 * them, as a seccomp filter.
 *
 * children.max=0 on Linux: a jail may not make namespaces of its own (a
 * jail in the jail).  Dropping CAP_SYS_ADMIN is not enough: allow.mount
 * keeps it, and unprivileged user namespaces let anyone nest without
 * it.  So every process of the jail runs under a seccomp filter that
 * refuses unshare(2) and clone(2) with any CLONE_NEW* flag, and setns(2)
 * at all, with EPERM.  clone3(2) passes its flags in memory a filter
 * cannot read: it fails with ENOSYS, on which glibc (fork, threads,
 * posix_spawn) and other runtimes fall back to clone(2).
 *
 * open_by_handle_at(2) fails with EPERM: a handle names an inode of the
 * whole filesystem, so a jail with CAP_DAC_READ_SEARCH (dropped from
 * its root's set, but init holds it) could open the host's / through
 * any mount it has of that filesystem.  FreeBSD's fhopen(2) is not
 * allowed in a jail either.
 *
 * init installs it on itself once the jail is set up, so that all it
 * starts has it; a jexec'd command, which joins the namespaces from the
 * host instead, installs it before exec.  The program is a constant and
 * installing it is one system call, as a vfork-style child may do.
 * Filters are inherited across fork and exec and cannot be removed.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <sched.h>
#include <stddef.h>

#include "jail/jail_impl.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
#ifndef __NR_clone3
#define __NR_clone3	435
#endif

/* clone(2)'s low byte is the exit signal: CLONE_NEWTIME only elsewhere. */
#define NEW_CLONE	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define NEW_UNSHARE	(NEW_CLONE | CLONE_NEWTIME)

/* The flags argument's low 32 bits (every CLONE_NEW* is there). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LO	offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LO	(offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))
#define DENY(e)		RET(SECCOMP_RET_ERRNO | (e))
#define ALLOW		RET(SECCOMP_RET_ALLOW)
#define LD(off)		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JSET(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))

/* With the syscall number in A: 17 instructions, all ending in RET. */
#define NEST_BLOCK(byhandle, clone3, setns, unshare, clone)		\
	JEQ(byhandle, 0, 1), DENY(EPERM),				\
	JEQ(clone3, 0, 1), DENY(ENOSYS),				\
	JEQ(setns, 0, 1), DENY(EPERM),					\
	JEQ(unshare, 0, 4), LD(ARG0_LO), JSET(NEW_UNSHARE, 0, 1),	\
	    DENY(EPERM), ALLOW,						\
	JEQ(clone, 0, 4), LD(ARG0_LO), JSET(NEW_CLONE, 0, 1),		\
	    DENY(EPERM), ALLOW,						\
	ALLOW
#define NEST_BLOCK_LEN	17
#define NEST_BLOCK_NRS(nrs)	NEST_BLOCK_(nrs)
#define NEST_BLOCK_(...)	NEST_BLOCK(__VA_ARGS__)

/*
 * The native ABI, and the 32-bit one the kernel also runs (with its own
 * numbers); x32 shares x86_64's numbers with a high bit set.
 */
#if defined(__x86_64__)
#define ARCH_NATIVE	AUDIT_ARCH_X86_64
#define NR_MASK		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~0x40000000u),
#define NR_MASK_LEN	1
#define ARCH_COMPAT	AUDIT_ARCH_I386
#define COMPAT_NRS	342, 435, 346, 310, 120
#elif defined(__aarch64__)
#define ARCH_NATIVE	AUDIT_ARCH_AARCH64
#define ARCH_COMPAT	AUDIT_ARCH_ARM
#define COMPAT_NRS	371, 435, 375, 337, 120
#elif defined(__i386__)
#define ARCH_NATIVE	AUDIT_ARCH_I386
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH_NATIVE	AUDIT_ARCH_RISCV64
#endif
#ifndef NR_MASK
#define NR_MASK
#define NR_MASK_LEN	0
#endif

#ifdef ARCH_NATIVE
static const struct sock_filter confine_prog[] = {
	LD(offsetof(struct seccomp_data, arch)),
	JEQ(ARCH_NATIVE, 0, 1 + NR_MASK_LEN + NEST_BLOCK_LEN),
	LD(offsetof(struct seccomp_data, nr)),
	NR_MASK
	NEST_BLOCK(__NR_open_by_handle_at, __NR_clone3, __NR_setns,
	    __NR_unshare, __NR_clone),
#ifdef ARCH_COMPAT
	JEQ(ARCH_COMPAT, 0, 1 + NEST_BLOCK_LEN),
	LD(offsetof(struct seccomp_data, nr)),
	NEST_BLOCK_NRS(COMPAT_NRS),
#endif
	/* An ABI whose numbers we do not know: nothing at all. */
	DENY(ENOSYS),
};

int
jail_os_confine(void)
{
	static const struct sock_fprog prog = {
		.len = sizeof(confine_prog) / sizeof(confine_prog[0]),
		.filter = (struct sock_filter *)confine_prog,
	};

	return (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0));
}
#else
int
jail_os_confine(void)
{
	errno = ENOSYS;		/* no filter for this architecture */
	return (-1);
}
#endif
