/* SPDX-License-Identifier: Apache-2.0 */
/* The Cortex-M parts of the port contract: reset, capture on request (NMI), the image's build-id, trap setup. */
#include <stddef.h>
#include <stdint.h>

#include "faultline/cortex_m.h"
#include "faultline/port.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_ICSR REG32(0xe000ed04u)
#define SCB_AIRCR REG32(0xe000ed0cu)
#define SCB_CCR REG32(0xe000ed14u)
#define SCB_SHCSR REG32(0xe000ed24u)

#define ICSR_NMIPENDSET (1u << 31)
#define AIRCR_SYSRESETREQ (0x05fau << 16 | 1u << 2)
#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP (1u << 4)
#define SHCSR_FAULTS_ENABLE (7u << 16) /* MEMFAULTENA | BUSFAULTENA | USGFAULTENA */

#define NT_GNU_BUILD_ID 3u
/* "GNU\0" read as a word */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NOTE_NAME_GNU 0x474e5500u
#else
#define NOTE_NAME_GNU 0x00554e47u
#endif

/* Your linker script places the .note.gnu.build-id section here (docs/PORTING.md). An ELF note is made of 4-byte
 * aligned words in the target's own byte order: it is read as words. */
extern const uint32_t __build_id_note_start[];

void fl_port_reboot(void)
{
	__asm__ volatile("dsb" ::: "memory");
	SCB_AIRCR = AIRCR_SYSRESETREQ;
	__asm__ volatile("dsb" ::: "memory");
	for (;;)
		;
}

void fl_port_capture_now(void)
{
	SCB_ICSR = ICSR_NMIPENDSET;
	__asm__ volatile("dsb\n isb" ::: "memory");
	for (;;) /* the NMI is taken before this loop runs */
		;
}

size_t fl_port_build_id(const uint8_t **out)
{
	const uint32_t *note = __build_id_note_start;
	uint32_t descsz = note[1];

	/* An ELF note: namesz, descsz, type, name (padded to 4), desc. */
	if (note[0] != 4 || note[2] != NT_GNU_BUILD_ID || note[3] != NOTE_NAME_GNU || descsz < 8 || descsz > 64)
		return 0;
	*out = (const uint8_t *)&note[4];
	return descsz;
}

void fl_cm_configure(uint32_t flags)
{
#if !defined(__ARM_ARCH_6M__)
	if (flags & FL_CM_FAULT_HANDLERS)
		SCB_SHCSR |= SHCSR_FAULTS_ENABLE;
	if (flags & FL_CM_TRAP_DIV0)
		SCB_CCR |= CCR_DIV_0_TRP;
	if (flags & FL_CM_TRAP_UNALIGNED)
		SCB_CCR |= CCR_UNALIGN_TRP;
	__asm__ volatile("dsb\n isb" ::: "memory");
#else
	(void)flags;
#endif
}
