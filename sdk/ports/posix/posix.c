/* SPDX-License-Identifier: Apache-2.0 */
/* The POSIX port: a storage file with flash rules, fatal-signal capture from the ucontext, identity. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "faultline/capture.h"
#include "faultline/errors.h"
#include "faultline/port.h"
#include "faultline/posix.h"
#include "faultline/reboot.h"

#define DEFAULT_STORAGE (64u * 1024u)
#define SECTOR 4096u
#define GRANULE 8u
#define ALT_STACK (64u * 1024u)

static const int k_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

static struct {
	int fd;
	uint32_t size;
	struct fl_device_info info;
	uint8_t build_id[64];
	size_t build_id_len;
	struct timespec start;
	uintptr_t stack_lo, stack_hi; /* the main thread's stack */
	volatile sig_atomic_t signo;  /* the fatal signal being handled, 0 outside the handler */
} s_posix = {.fd = -1};

static uint8_t s_alt_stack[ALT_STACK];

/* ---- storage: a file with flash rules ---- */

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = s_posix.size;
	out->sector_size = SECTOR;
	out->write_granule = GRANULE;
}

static int in_range(uint32_t offset, size_t len)
{
	return s_posix.fd >= 0 && offset <= s_posix.size && len <= s_posix.size - offset;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (!in_range(offset, len) || pread(s_posix.fd, buf, len, offset) != (ssize_t)len)
		return -1;
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	uint8_t old[GRANULE];

	if (!in_range(offset, len) || offset % GRANULE != 0 || len % GRANULE != 0)
		return -1;
	/* Flash rule: only erased units are written. */
	for (size_t at = 0; at < len; at += GRANULE) {
		if (pread(s_posix.fd, old, GRANULE, offset + at) != GRANULE)
			return -1;
		for (size_t i = 0; i < GRANULE; i++)
			if (old[i] != 0xff)
				return -1;
	}
	return pwrite(s_posix.fd, buf, len, offset) == (ssize_t)len ? 0 : -1;
}

static int fill_erased(uint32_t offset, size_t len)
{
	uint8_t ff[SECTOR];

	memset(ff, 0xff, sizeof(ff));
	for (size_t at = 0; at < len; at += SECTOR)
		if (pwrite(s_posix.fd, ff, SECTOR, offset + at) != SECTOR)
			return -1;
	return fsync(s_posix.fd);
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	if (!in_range(offset, len) || offset % SECTOR != 0 || len % SECTOR != 0)
		return -1;
	return fill_erased(offset, len);
}

/* ---- identity, time, reset ---- */

void fl_port_device_info(struct fl_device_info *out)
{
	*out = s_posix.info;
}

size_t fl_port_build_id(const uint8_t **out)
{
	*out = s_posix.build_id;
	return s_posix.build_id_len;
}

uint32_t fl_port_boot_id(void)
{
	uint32_t id = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &id, sizeof(id)) != sizeof(id))
			id = 0;
		close(fd);
	}
	return id != 0 ? id : (uint32_t)getpid() ^ (uint32_t)time(NULL);
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = 0;
	return FL_REASON_POWER_ON; /* a process start */
}

uint64_t fl_port_uptime_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - s_posix.start.tv_sec) * 1000u +
	       (uint64_t)((now.tv_nsec - s_posix.start.tv_nsec) / 1000000);
}

void fl_port_reboot(void)
{
	if (s_posix.signo != 0) {
		/* Die of the original signal: supervisors and the system's own core dumps see what happened. The
		 * handler runs with it blocked, so unblock it once its default action is back. */
		sigset_t set;

		signal(s_posix.signo, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, s_posix.signo);
		raise(s_posix.signo);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	_exit(0);
}

void fl_port_capture_now(void)
{
	raise(SIGABRT); /* the handler captures this context with the pending assert's reason */
	_exit(EXIT_FAILURE);
}

/* Readable bytes from addr: process_vm_readv reports unmapped and PROT_NONE pages without faulting, and is
 * safe in a signal handler. */
size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	static uint8_t scratch[4096];
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(scratch) ? len - done : sizeof(scratch);
		struct iovec local = {scratch, n}, remote = {(void *)(addr + done), n};
		ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

		if (got <= 0)
			break;
		done += (size_t)got;
		if ((size_t)got < n)
			break;
	}
	return done;
}

/* ---- capture ---- */

static size_t capture_regs(uintptr_t *regs, const ucontext_t *uc)
{
#if defined(__x86_64__)
	static const int k_order[] = {REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP, REG_R8,
				      REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP, REG_EFL};

	for (size_t i = 0; i < 18; i++)
		regs[i] = (uintptr_t)uc->uc_mcontext.gregs[k_order[i]];
	return 18;
#elif defined(__aarch64__)
	for (size_t i = 0; i < 31; i++)
		regs[i] = (uintptr_t)uc->uc_mcontext.regs[i];
	regs[31] = (uintptr_t)uc->uc_mcontext.sp;
	regs[32] = (uintptr_t)uc->uc_mcontext.pc;
	regs[33] = (uintptr_t)uc->uc_mcontext.pstate;
	return 34;
#elif defined(__arm__)
	const unsigned long *r = &uc->uc_mcontext.arm_r0; /* arm_r0 .. arm_pc, then arm_cpsr, in order */

	for (size_t i = 0; i < 16; i++)
		regs[i] = (uintptr_t)r[i];
	regs[16] = (uintptr_t)uc->uc_mcontext.arm_cpsr;
	return 17;
#else
#error "faultline POSIX port: no register layout for this architecture (docs/FORMAT.md §8.1)"
#endif
}

static void on_fatal_signal(int signo, siginfo_t *info, void *context)
{
	static uintptr_t regs[34], sig[3];
	struct fl_capture c = {0};
	size_t n = capture_regs(regs, context);

	s_posix.signo = signo;
	sig[0] = (uintptr_t)signo;
	sig[1] = (uintptr_t)info->si_code;
	sig[2] = (uintptr_t)info->si_addr;
	c.reason = fl_capture_pending_reason() != 0 ? fl_capture_pending_reason() : FL_REASON_FATAL_SIGNAL;
	c.regs = regs;
	c.nregs = n;
	c.signal = sig;
#if defined(__x86_64__)
	c.sp = regs[7];
#elif defined(__aarch64__)
	c.sp = regs[31];
#else
	c.sp = regs[13];
#endif
	if (c.sp >= s_posix.stack_lo && c.sp < s_posix.stack_hi) {
		c.stack_lo = s_posix.stack_lo;
		c.stack_hi = s_posix.stack_hi;
	}
	fl_coredump_save(&c);
	fl_port_reboot();
}

/* The main program's build-id, from its PT_NOTE segments as loaded. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;

		if (ph->p_type != PT_NOTE)
			continue;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
			size_t name = (nh->n_namesz + 3u) & ~3u, desc = (nh->n_descsz + 3u) & ~3u;
			const uint8_t *d = p + sizeof(*nh) + name;

			if (d + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(p + sizeof(*nh), "GNU", 4) == 0 &&
			    nh->n_descsz >= 8 && nh->n_descsz <= sizeof(s_posix.build_id)) {
				memcpy(s_posix.build_id, d, nh->n_descsz);
				s_posix.build_id_len = nh->n_descsz;
				return 1;
			}
			p = d + desc;
		}
	}
	return 1; /* the first object is the main program: stop either way */
}

static void find_main_stack(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
		s_posix.stack_lo = (uintptr_t)addr;
		s_posix.stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&attr);
}

int fl_posix_install(const struct fl_posix_config *cfg)
{
	stack_t alt = {.ss_sp = s_alt_stack, .ss_size = sizeof(s_alt_stack)};
	struct sigaction sa;
	off_t have;

	if (cfg == NULL || cfg->storage_path == NULL || cfg->serial == NULL)
		return FL_ERR_INVALID_ARG;
	s_posix.size = cfg->storage_size != 0 ? cfg->storage_size : DEFAULT_STORAGE;
	if (s_posix.size % SECTOR != 0)
		return FL_ERR_INVALID_ARG;
	s_posix.info.serial = cfg->serial;
	s_posix.info.sw_version = cfg->sw_version;
	s_posix.info.hw_version = cfg->hw_version;
	clock_gettime(CLOCK_MONOTONIC, &s_posix.start);
	dl_iterate_phdr(find_build_id, NULL);
	find_main_stack();

	if (s_posix.fd >= 0)
		close(s_posix.fd);
	s_posix.fd = open(cfg->storage_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s_posix.fd < 0)
		return FL_ERR_IO;
	have = lseek(s_posix.fd, 0, SEEK_END);
	if (have < 0)
		return FL_ERR_IO;
	/* A new file, or one of another size (the configuration changed): start from erased flash. */
	if ((uint64_t)have != s_posix.size &&
	    (ftruncate(s_posix.fd, s_posix.size) != 0 || fill_erased(0, s_posix.size) != 0))
		return FL_ERR_IO;

	if (sigaltstack(&alt, NULL) != 0)
		return FL_ERR_IO;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(k_signals) / sizeof(k_signals[0]); i++)
		if (sigaction(k_signals[i], &sa, NULL) != 0)
			return FL_ERR_IO;
	return 0;
}
