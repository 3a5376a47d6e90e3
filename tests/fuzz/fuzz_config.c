// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The config parser (our pre-scan, then iniparser on a memfd), merging of
 * drop-ins and policy resolution, with the invariants of the
 * deterministic driver in tests/unit/fuzz_config.c (libFuzzer's main()
 * takes the place of that file's weak one).
 */
#include "../unit/fuzz_config.c"
