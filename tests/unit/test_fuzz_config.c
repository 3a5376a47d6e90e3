// SPDX-License-Identifier: GPL-2.0-or-later
/* The config fuzz target, run as a deterministic unit test (its weak
 * main() drives seeded mutations; see fuzz_config.c). */
#include "fuzz_config.c"
