# loginbox: every login in its own box.  See README.md.
#
#   make              build everything into build/
#   sudo make check   unit tests, integration tests as root (real sshd,
#                     ssh/scp/sftp/rsync, su, login, pamtester), and the VM
#                     tier (cgroup v2 limits in a qemu guest)
#   sudo make install / uninstall
#   sudo make quickstart   set up this machine and show a boxed login
#   make bench        benchmarks (see bench/README.md)

CC       ?= gcc
CFLAGS   ?= -O2 -g
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

prefix     ?= /usr
sbindir    ?= $(prefix)/sbin
libexecdir ?= $(prefix)/libexec/loginbox
mandir     ?= $(prefix)/share/man
pamdir     ?= /lib/$(MULTIARCH)/security
sysconfdir ?= /etc/loginbox
statedir   ?= /var/lib/loginbox
rundir     ?= /run/loginbox
pamconfigdir ?= $(prefix)/share/pam-configs
docdir     ?= $(prefix)/share/doc/loginbox

# Truncation by snprintf into bounded buffers is deliberate everywhere.
WARN = -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow \
       -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
       -Wcast-align -Wwrite-strings -Wno-unused-parameter -Wvla \
       -Wimplicit-fallthrough -Wno-format-truncation
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fstack-clash-protection \
         -fcf-protection
PATHS = -DLB_SYSCONFDIR='"$(sysconfdir)"' -DLB_LIBEXECDIR='"$(libexecdir)"' \
        -DLB_SBINDIR='"$(sbindir)"' -DLB_STATEDIR='"$(statedir)"' \
        -DLB_RUNDIR='"$(rundir)"'
ALL_CFLAGS = -std=gnu11 $(CFLAGS) $(WARN) $(HARDEN) $(PATHS) -D_GNU_SOURCE \
             -fPIC -fvisibility=hidden $(addprefix -I,$(SHARED_DIRS)) $(CPPFLAGS)
ALL_LDFLAGS = -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)

B = build
# `make FAULTS=1`: the test-only fault points (helper/common/fault.h), in
# their own build dir; only tests/integration/t_98_faults.sh installs it.
ifeq ($(FAULTS),1)
B = build-fault
ALL_CFLAGS += -DLB_FAULT_POINTS
endif

# Code every program links (libcommon.a), one directory per concern;
# headers are included by name, each directory is on the include path.
#   common/    errors, cleanup macros, syscalls, paths, processes, audit,
#              root-owned files, strict value parsers, the host
#              environment (envscrub, su argv)
#   identity/  users, subordinate ids, uid/gid maps (computed and written)
#   config/    config files, keys and values, policy resolution, CDI specs
#   protocol/  module <-> helper <-> shell <-> init: messages with fds, the
#              helper call and its reply, the client relay, allow tokens
# Each uses only those above it (protocol/ only common/): no cycles.
SHARED_DIRS := helper/common helper/config helper/identity helper/protocol
COMMON_SRC := $(sort $(foreach d,$(SHARED_DIRS),$(wildcard $(d)/*.c)))
BOX_SRC    := $(sort $(wildcard helper/box/*.c))
SHELL_SRC  := $(sort $(wildcard helper/shell/*.c))
XAUTH_SRC  := $(sort $(wildcard helper/xauth/*.c))
ADMIN_SRC  := $(sort $(wildcard helper/admin/*.c))
# Images: the box build needs only the store; import (libarchive, json-c,
# libcrypto) is the admin command's.
IMAGE_STORE_SRC := helper/image/store.c
IMAGE_SRC  := $(sort $(wildcard helper/image/*.c))
PAM_SRC    := $(sort $(wildcard pam_module/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

BINS = $(B)/loginbox-helper $(B)/loginbox-shell $(B)/loginbox-xauth $(B)/loginbox $(B)/pam_loginbox.so
UNIT_BINS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

# libsubid is dlopen()ed only when nsswitch.conf names a subid source.
LIBS_BOX   = -lseccomp -lcap -liniparser -lnftables -ljson-c -lyaml
LIBS_ADMIN = -lseccomp -lcap -liniparser -lnftables -larchive -ljson-c -lyaml -lcrypto
LIBS_SHELL =
LIBS_PAM   = -lpam -liniparser -lcap

.PHONY: all check check-unit check-integration check-hostile check-vm check-package install uninstall \
        clean quickstart quickstart-undo bench bench-images bench-selftest format format-all
all: $(BINS)

# -MMD: each object depends on exactly the headers it includes.
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

$(B)/libcommon.a: $(call obj,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^

$(B)/loginbox-helper: $(call obj,$(BOX_SRC) $(IMAGE_STORE_SRC)) $(B)/libcommon.a
	$(CC) -pie $(ALL_LDFLAGS) -o $@ $^ $(LIBS_BOX)

# loginbox-shell runs on the host in an environment a boxed user can fill
# (~/.pam_environment, ~/.ssh/environment): static-pie, so no ld.so runs
# and no LD_PRELOAD/LD_AUDIT/LD_LIBRARY_PATH is read.  A static glibc still
# dlopen()s for NSS and iconv (honouring LD_LIBRARY_PATH) and reads locale
# files: our code must call none of that.  A throw-away dynamic link lists
# exactly the libc functions our code calls (nm -D -u); the static binary
# must hold no NSS at all and have no program interpreter.  (libc.a's own
# gettext pulls in setlocale's code, but with the locale never set it
# stays "C" and opens nothing.)
SHELL_FORBIDDEN = getpw|getgr|getgrouplist|initgroups|getspnam|getlogin|setlocale|newlocale|uselocale|iconv|bindtextdomain|textdomain|catopen|dlopen|dlmopen|gethostby|getaddrinfo|getservby|getprotoby|getnetby
define static_host_prog
	@$(CC) -pie $(ALL_LDFLAGS) -o $@.dyn $^ $(LIBS_SHELL)
	@if nm -D --undefined-only $@.dyn | grep -E ' ($(SHELL_FORBIDDEN))'; then \
	  echo "$(@F): calls functions that load code or files at run time (above)" >&2; \
	  rm -f $@.dyn; exit 1; fi
	@rm -f $@.dyn
	$(CC) -static-pie $(ALL_LDFLAGS) -o $@.tmp $^ $(LIBS_SHELL)
	@if nm $@.tmp | grep -E ' (__nss_|_nss_|nss_)'; then \
	  echo "$(@F): the static binary holds NSS (above)" >&2; \
	  rm -f $@.tmp; exit 1; fi
	@if readelf -l $@.tmp | grep -q INTERP; then \
	  echo "$(@F): has a program interpreter (not static)" >&2; \
	  rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@
endef
$(B)/loginbox-shell: $(call obj,$(SHELL_SRC)) $(B)/libcommon.a
	$(static_host_prog)

# sshd's XAuthLocation for X11 forwarding (helper/xauth/main.c): it runs on
# the host in the login's environment too, so it is built the same way.
$(B)/loginbox-xauth: $(call obj,$(XAUTH_SRC)) $(B)/libcommon.a
	$(static_host_prog)

# The admin command shares with the helper only what reads and ends boxes
# (list, show, kill, gc): session state, teardown, logins, the network
# modes' teardown.  The builder (box.h: init, rootfs, mounts, seccomp,
# userns...) is the helper's alone; the check below fails the build if
# any of its entry points ends up in loginbox.
BOX_SHARED_SRC := $(addprefix helper/box/,audit_box.c cgroup.c cgsweep.c \
                    fsutil.c join.c kfs_lxcfs.c logins.c mntapi.c net.c net_bridge.c net_pasta.c nft.c \
                    nft_egress.c rtnl.c session.c teardown.c userns.c)
BUILDER_SYMS = box_open|init_main|rootfs_build|mounts_populate|kfs_mount|devices_nodes|sc_compile|sc_load|spawn_exec|caps_set_final|cg_create|subid_source_lookup
$(B)/loginbox: $(call obj,$(ADMIN_SRC) $(IMAGE_SRC) $(BOX_SHARED_SRC)) $(B)/libcommon.a
	$(CC) -pie $(ALL_LDFLAGS) -o $@.tmp $^ $(LIBS_ADMIN)
	@if nm $@.tmp | grep -E ' ($(BUILDER_SYMS))$$'; then \
	  echo "loginbox: links the box builder (above): only loginbox-helper may" >&2; \
	  rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@

# Only pam_sm_* are exported (pam_module/module.map).
$(B)/pam_loginbox.so: $(call obj,$(PAM_SRC)) $(B)/libcommon.a pam_module/module.map
	$(CC) -shared -Wl,--no-undefined $(ALL_LDFLAGS) -Wl,--version-script=pam_module/module.map \
	  -o $@ $(call obj,$(PAM_SRC)) $(B)/libcommon.a $(LIBS_PAM)

$(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(B)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -fPIE -pie -o $@ $< $(B)/libcommon.a \
	  $(LIBS_BOX)

# Unit tests of the box's own parsers link the box code (without main()).
BOX_UNIT_BINS = $(B)/tests/test_box_parsers
BOX_LIB_OBJS = $(call obj,$(filter-out helper/box/main.c,$(BOX_SRC)) $(IMAGE_STORE_SRC))
$(BOX_UNIT_BINS): $(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(BOX_LIB_OBJS) $(B)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ihelper/box -Itests/unit -fPIE -pie -o $@ $< $(BOX_LIB_OBJS) \
	  $(B)/libcommon.a $(LIBS_BOX)

# pam_loginbox.so through libpam (pam_start_confdir), linked with -lpam.
PAM_UNIT_BINS = $(B)/tests/test_pam_module
$(PAM_UNIT_BINS): $(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(B)/pam_loginbox.so
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -fPIE -pie -o $@ $< -lpam -ldl

check-unit: $(UNIT_BINS) $(B)/bench/lbb-boxes
	@LBB_BOXES=$(B)/bench/lbb-boxes tests/unit/run.sh $(UNIT_BINS) bench/selftest.py

check-integration: all
	@tests/integration/run.sh

# Hostile tier: attacks from inside real boxes and from the host side as a
# boxed user, each with the outcome that proves it failed (tests/hostile/).
HOSTILE_TESTS := $(sort $(wildcard tests/hostile/h_*.sh))
check-hostile: all
	@test -n "$(HOSTILE_TESTS)" || { echo "hostile: no tests/hostile/h_*.sh"; exit 1; }
	@LBT_TIER=hostile tests/integration/run.sh $(HOSTILE_TESTS)

# VM tier: cgroup v2 limits enforced in a qemu guest (tests/vm/run.sh).
check-vm: all
	@tests/vm/run.sh

# Package tier: build the .debs, install, ssh through the system PAM
# stack, purge, nothing left (tests/package/run.sh).
check-package:
	@tests/package/run.sh

check: check-unit check-unit-asan check-fuzz check-integration check-hostile check-vm check-package

install: all
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(libexecdir) $(DESTDIR)$(pamdir) \
	  $(DESTDIR)$(sysconfdir)/conf.d $(DESTDIR)$(statedir)/images \
	  $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 \
	  $(DESTDIR)$(pamconfigdir) $(DESTDIR)$(docdir)/examples
	install -m 0755 $(B)/loginbox-helper $(DESTDIR)$(libexecdir)/loginbox-helper
	install -m 0755 $(B)/loginbox-shell $(DESTDIR)$(sbindir)/loginbox-shell
	install -m 0755 $(B)/loginbox-xauth $(DESTDIR)$(libexecdir)/loginbox-xauth
	install -m 0755 $(B)/loginbox $(DESTDIR)$(sbindir)/loginbox
	install -m 0644 $(B)/pam_loginbox.so $(DESTDIR)$(pamdir)/pam_loginbox.so
	test -e $(DESTDIR)$(sysconfdir)/loginbox.conf || \
	  install -m 0644 conf/loginbox.conf $(DESTDIR)$(sysconfdir)/loginbox.conf
	install -m 0644 conf/examples/*.conf $(DESTDIR)$(docdir)/examples/
	install -m 0644 conf/pam-configs/loginbox $(DESTDIR)$(pamconfigdir)/loginbox
	install -m 0644 docs/man/*.5 $(DESTDIR)$(mandir)/man5/
	install -m 0644 docs/man/*.8 $(DESTDIR)$(mandir)/man8/
	@# A live install registers the shell as add-shell would (packages do
	@# it in postinst; staged installs with DESTDIR leave it to them).
	if [ -z "$(DESTDIR)" ] && ! grep -qx '$(sbindir)/loginbox-shell' /etc/shells; then \
	  echo '$(sbindir)/loginbox-shell' >> /etc/shells; fi

# Leaves /etc/loginbox alone (an admin's config is not ours to delete).
uninstall:
	rm -f $(DESTDIR)$(libexecdir)/loginbox-helper $(DESTDIR)$(libexecdir)/loginbox-xauth \
	  $(DESTDIR)$(sbindir)/loginbox-shell \
	  $(DESTDIR)$(sbindir)/loginbox $(DESTDIR)$(pamdir)/pam_loginbox.so \
	  $(DESTDIR)$(pamconfigdir)/loginbox
	rm -f $(addprefix $(DESTDIR)$(mandir)/man5/,$(notdir $(wildcard docs/man/*.5))) \
	  $(addprefix $(DESTDIR)$(mandir)/man8/,$(notdir $(wildcard docs/man/*.8)))
	rm -rf $(DESTDIR)$(docdir)
	-rmdir $(DESTDIR)$(libexecdir) 2>/dev/null
	if [ -z "$(DESTDIR)" ] && [ -f /etc/shells ]; then \
	  sed -i '\#^$(sbindir)/loginbox-shell$$#d' /etc/shells; fi
	@# the sshd drop-in is generated (loginbox sshd-config --write), not
	@# the admin's: without loginbox its Match blocks mean nothing.
	if [ -z "$(DESTDIR)" ] && grep -qs '^# /etc/ssh/sshd_config.d/loginbox.conf' \
	  /etc/ssh/sshd_config.d/loginbox.conf; then rm -f /etc/ssh/sshd_config.d/loginbox.conf; fi

quickstart:
	@tests/quickstart.sh

# Removes what quickstart added (the demo user, its config, the PAM profile).
quickstart-undo:
	-pam-auth-update --package --remove loginbox
	@# pam-auth-update refuses to touch common-session that was edited by
	@# hand ("local modifications"): a required line naming a module that
	@# `make uninstall` removes would then fail every login.
	-for f in /etc/pam.d/common-session /etc/pam.d/common-session-noninteractive; do \
	  if grep -q 'pam_loginbox\.so' $$f 2>/dev/null; then \
	    sed -i '/^session[[:space:]].*pam_loginbox\.so/d' $$f && \
	    echo "quickstart-undo: removed the pam_loginbox line pam-auth-update left in $$f"; fi; done
	-userdel -r lbdemo 2>/dev/null
	-groupdel loginbox-demo 2>/dev/null
	rm -f /etc/loginbox/conf.d/50-quickstart-demo.conf
	-[ ! -f /etc/pam.d/sshd ] || sed -i -e '/^# loginbox quickstart: after pam_env user_readenv=1$$/d' \
	  -e '/^session \[success=ok ignore=ignore module_unknown=ignore default=bad\] pam_loginbox.so scrub$$/d' /etc/pam.d/sshd
	-[ ! -x /usr/sbin/loginbox ] || [ ! -d /etc/ssh/sshd_config.d ] || /usr/sbin/loginbox sshd-config --write

bench: all
	@bench/run.sh

# The benchmark's box owner (bench/lbb_boxes.c): the helper called through
# helper_call.c, built against the libcommon.a of the build under test.
$(B)/bench/lbb-boxes: bench/lbb_boxes.c $(B)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIE -pie -o $@ $< $(B)/libcommon.a $(LIBS_BOX)

# The benchmark's parts, without root (also one of check-unit's programs).
bench-selftest: $(B)/bench/lbb-boxes
	@LBB_BOXES=$(B)/bench/lbb-boxes tests/unit/run.sh bench/selftest.py

# Image import speed (bench/images.sh): a private store, never the system's.
bench-images:
	@bench/images.sh

include tests/fuzz/fuzz.mk

# Formats the C lines changed against HEAD (.clang-format says why not the
# whole tree); `make format-all` reformats every file.
format:
	git diff -U0 --no-color HEAD -- '*.c' '*.h' | clang-format-diff -p1 -i

format-all:
	clang-format -i $(COMMON_SRC) $(BOX_SRC) $(SHELL_SRC) $(ADMIN_SRC) $(PAM_SRC) $(IMAGE_SRC) \
	  helper/*/*.h

clean:
	rm -rf $(B) $(FB) $(AB)
