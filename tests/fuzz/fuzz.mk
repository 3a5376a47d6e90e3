# Fuzzing and the sanitized unit tier (included by the Makefile).
#
#   make fuzz          each target FUZZ_SECONDS (60) with libFuzzer, ASan
#                      and UBSan, over a scratch copy of its corpus
#   make check-fuzz    every checked-in input of every target, once
#   make check-unit-asan   the unit tests with ASan and UBSan
#
# Both builds take the main build's flags plus the sanitizers; they live
# in their own directories, so `make` keeps building with gcc into build/.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FB = build-fuzz
AB = build-asan

# clang does not know gcc's -Wformat-truncation (silenced in WARN), and its
# -Wcast-align warns where gcc's does not (x86 has no strict alignment):
# the receive buffers cast to message structs are unions with the header;
# -Wmissing-field-initializers flags the designated initializers of
# libseccomp argument comparisons that gcc accepts.
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
      -fno-omit-frame-pointer
FUZZ_ALL_CFLAGS = $(ALL_CFLAGS) $(SAN) -fsanitize=fuzzer-no-link \
                  -Wno-unknown-warning-option -Wno-cast-align -Wno-missing-field-initializers -Ihelper/box -Itests/unit
ASAN_ALL_CFLAGS = $(ALL_CFLAGS) $(SAN)

# The box code without its main(): the targets reach its parsers (spawn
# requests, state files) directly.
BOX_LIB_SRC := $(filter-out helper/box/main.c,$(BOX_SRC))

$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (fuzz)"
	@$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(AB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (asan)"
	@$(CC) $(ASAN_ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(FB)/obj $(AB)/obj -name '*.d' 2>/dev/null)

$(FB)/libcommon.a: $(patsubst %.c,$(FB)/obj/%.o,$(COMMON_SRC) $(BOX_LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FB)/libcommon.a
	$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< \
	  $(FB)/libcommon.a $(LIBS_BOX)

FUZZ_BINS = $(addprefix $(FB)/fuzz_,$(FUZZ_TARGETS))

# Findings land in $(FB)/findings/NAME/ (crash-*, leak-*, timeout-*);
# new inputs in $(FB)/corpus/NAME/, seeded from tests/fuzz/corpus/NAME/.
fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)

check-fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh check 0 $(FUZZ_BINS)

$(AB)/libcommon.a: $(patsubst %.c,$(AB)/obj/%.o,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^

$(AB)/tests/%: tests/unit/%.c tests/unit/tap.h $(AB)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_ALL_CFLAGS) -Itests/unit -fPIE -pie -o $@ $< \
	  $(AB)/libcommon.a $(LIBS_BOX)

ASAN_UNIT_BINS = $(patsubst tests/unit/%.c,$(AB)/tests/%,$(UNIT_SRC))

# The box parsers' tests link the box code (Makefile: BOX_UNIT_BINS).
ASAN_BOX_OBJS = $(patsubst %.c,$(AB)/obj/%.o,$(BOX_LIB_SRC) $(IMAGE_STORE_SRC))
$(patsubst $(B)/%,$(AB)/%,$(BOX_UNIT_BINS)): $(AB)/tests/%: tests/unit/%.c tests/unit/tap.h $(ASAN_BOX_OBJS) $(AB)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_ALL_CFLAGS) -Ihelper/box -Itests/unit -fPIE -pie -o $@ $< \
	  $(ASAN_BOX_OBJS) $(AB)/libcommon.a $(LIBS_BOX)

# The module test loads the main build's pam_loginbox.so.
$(patsubst $(B)/%,$(AB)/%,$(PAM_UNIT_BINS)): $(AB)/tests/%: tests/unit/%.c tests/unit/tap.h $(B)/pam_loginbox.so
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_ALL_CFLAGS) -Itests/unit -fPIE -pie -o $@ $< -lpam -ldl

check-unit-asan: $(ASAN_UNIT_BINS)
	@LB_TEST_PAM_MODULE=$(B)/pam_loginbox.so \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/unit/run.sh $(ASAN_UNIT_BINS)

.PHONY: fuzz check-fuzz check-unit-asan

# The image readers: import.c is compiled into the target itself (its
# readers are static); the rest of helper/image links as the admin
# command links it.
$(FB)/fuzz_image_manifest: tests/fuzz/fuzz_image_manifest.c \
  $(patsubst %.c,$(FB)/obj/%.o,$(filter-out helper/image/import.c helper/image/cmd.c,$(IMAGE_SRC))) \
  $(FB)/libcommon.a
	$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -Ihelper/image -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $(filter-out %.a,$^) \
	  $(FB)/libcommon.a $(LIBS_ADMIN)
