/* SPDX-License-Identifier: Apache-2.0 */
/* The board's other peripherals as the firmware drives them: a DMA engine, an EEPROM, the update slot. */
#ifndef DEVICES_H
#define DEVICES_H

#include <stdint.h>

#ifdef APP_SHIFTED
#include <stdbool.h>
/* The DMA engine is still copying. */
bool dma_busy(void);
#endif

/* Copy len bytes from src to dst with the DMA engine. */
void dma_copy(void *dst, const void *src, uint32_t len);

/* Write a byte to the EEPROM and wait until it is programmed. */
void eeprom_write(uint32_t addr, uint8_t value);

/* Start the firmware image in the update slot. */
void update_apply(void);

#endif
