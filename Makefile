# stasis -- see README.md.  `make`, `make check`, `make check SANITIZE=1`,
# `make bench`, `make fuzz`, `make install`.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
# mount(8) looks for mount.<type> helpers here, not in PATH.
MOUNTHELPERDIR ?= /sbin
DESTDIR	?=

CC	?= cc
PKGS	 = openssl jansson yaml-0.1 fuse3 libzstd libcurl libpcre2-8
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The libraries every daemon touches are linked in statically: a shared
# libcrypto alone costs a process ~1 MiB of resident relocated pages, and
# the daemons' memory is measured against their peers (bench/RESULTS.md).
# STATIC=0 links everything dynamically.
ifneq ($(STATIC),0)
# Packed relative relocations (DT_RELR, glibc 2.36): the static libraries
# in a PIE need ~19k relative relocations; as RELA their table is 460 KiB
# read at every start, as RELR 7 KiB (measured: the hooks daemon's peak
# RSS 3.8 -> 3.5 MiB), while keeping address randomisation.
RELR	   := $(shell echo 'int main(void){return 0;}' | $(CC) \
	      -Wl,-z,pack-relative-relocs -x c -o /dev/null - 2>/dev/null && \
	      echo -Wl,-z,pack-relative-relocs)
LDFLAGS	   += $(RELR)
PKG_LIBS   := -Wl,-Bstatic -lssl -lcrypto -ljansson -lyaml -lfuse3 -lzstd -lpcre2-8 \
	      -Wl,-Bdynamic -lcurl -ldl
endif

VERSION	 = 0.1.0
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	   -Wno-missing-field-initializers -D_GNU_SOURCE \
	   -DSTASIS_VERSION='"$(VERSION)"' -Isrc $(PKG_CFLAGS) -MMD -MP
LDLIBS	+= $(PKG_LIBS) -lpthread

# PIE=0 links a position-dependent executable: no relocations at start
# (stasis starts 0.3 ms sooner, ~100 fewer page faults, 0.4 MiB less
# resident), at the price of address randomisation for the binary itself;
# see docs/ARCHITECTURE.md.  The default keeps PIE.
ifeq ($(PIE),0)
LDFLAGS	+= -no-pie
endif

ifeq ($(SANITIZE),1)
B	?= build-san
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
B	?= build
endif

PERSONALITIES = jail jls jexec bectl sync-be mount.tarfs
# The personalities that are links to stasis-jailtools and
# stasis-tarfs (below).
JAILTOOLS = jail jls jexec
TARFSTOOLS = mount.tarfs

# Platform code lives in files named for the platform: *_linux.c build
# on Linux only, *_freebsd.c on FreeBSD only (docs/ARCHITECTURE.md).
UNAME_S	?= $(shell uname -s)
ifeq ($(UNAME_S),FreeBSD)
NOTHERE	 = %_linux.c
else
NOTHERE	 = %_freebsd.c
endif
LIBSRCS	:= $(filter-out $(NOTHERE),$(sort $(wildcard src/*/*.c)))
LIBOBJS	:= $(LIBSRCS:%.c=$(B)/%.o)
UNITSRCS := $(sort $(wildcard tests/unit/*.c))
UNITBINS := $(UNITSRCS:tests/unit/%.c=$(B)/tests/unit/%)
FUZZSRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
MANPAGES := $(sort $(wildcard man/*.[0-9]))
# Manual page aliases, NAME:PAGE (section 8): each personality link's
# name and each command's stasis-COMMAND (`stasis --help` points there)
# that has no page of its own.
MANALIASES = jail:stasis-jail jls:stasis-jls jexec:stasis-jexec \
	bectl:stasis-be mount.tarfs:stasis-tarfs stasis-sync-be:sync-be \
	stasis-drain:stasis-serve stasis-undrain:stasis-serve \
	stasis-status:stasis-serve stasis-reload:stasis-serve

SMALLBINS = $(B)/stasis-jailtools $(B)/stasis-tarfs $(B)/stasis-hooks

all: $(B)/stasis $(SMALLBINS) links

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libstasis.a: $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

# Every member is linked in: stasis.c refers to the commands only weakly
# (so an unbuilt one says so), and a weak reference does not pull an
# archive member by itself.
$(B)/stasis: $(B)/src/stasis.o $(B)/libstasis.a
	$(CC) $(LDFLAGS) -o $@ $(B)/src/stasis.o \
	    -Wl,--whole-archive $(B)/libstasis.a -Wl,--no-whole-archive \
	    $(LDLIBS)

# The jail tools start a jail per command, so their start-up is what
# bench/jail.sh measures: they are a second link of the same objects,
# without --whole-archive, which takes only what they call and none of
# libcrypto, libssl or libfuse, whose 446 KiB of relocated data a PIE
# writes at every start (see docs/ARCHITECTURE.md).  mount.tarfs is one
# too: a cold mount pages in the binary, and the disk's readahead reads
# all of it, 6 MiB for stasis against 0.3 MiB (8 -> 2.4 ms for a 1 GiB
# file).  stasis-hooks is the hooks daemon without TLS: libssl and
# libcrypto's providers are out (base/http_tls.h), only OpenSSL's SHA
# functions are in, and the daemon's peak RSS drops by a third
# (bench/RESULTS.md); `stasis hooks` without -secure runs it.  A command
# one lacks runs from the stasis-<command> or the stasis next to it
# (src/stasis.c).
SMALL_jailtools = $(JAILTOOLS:%=cmd_%)
SMALL_tarfs	= cmd_tarfs
SMALL_hooks	= cmd_hooks
$(SMALLBINS): $(B)/stasis-%: $(B)/src/stasis.o $(B)/libstasis.a
	$(CC) $(LDFLAGS) -o $@ $(B)/src/stasis.o \
	    $(SMALL_$*:%=-Wl,-u,%) $(B)/libstasis.a $(LDLIBS)

# The personality links the tests (and an uninstalled user) call.
links: $(B)/stasis $(SMALLBINS)
	@mkdir -p $(B)/bin
	@ln -sf ../stasis $(B)/bin/stasis
	@for p in $(PERSONALITIES); do ln -sf ../stasis $(B)/bin/$$p; done
	@for p in $(JAILTOOLS); do \
		ln -sf ../stasis-jailtools $(B)/bin/$$p; done
	@for p in $(TARFSTOOLS); do ln -sf ../stasis-tarfs $(B)/bin/$$p; done

# -u: TLS is reached through a weak reference (base/http_tls.h).
$(B)/tests/unit/%: $(B)/tests/unit/%.o $(B)/libstasis.a
	$(CC) $(LDFLAGS) -o $@ $^ -Wl,-u,http_tls_ops $(LDLIBS)

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -c -o $@ $<

# TESTS narrows the run: make check TESTS='tests/func/hooks*.t'
TESTS	?= $(UNITBINS) $(sort $(wildcard tests/func/*.t))

check: all $(UNITBINS)
	STASIS_BUILD=$(CURDIR)/$(B) PATH=$(CURDIR)/$(B)/bin:$$PATH \
	    prove -f --timer --exec '' $(TESTS)

# src/jail as FreeBSD builds it (jail_freebsd.c, no *_linux.c), compiled
# with -fsyntax-only against FreeBSD's declarations alone
# (tests/freebsd/include; no glibc, no Linux headers).  This checks that
# the FreeBSD backend compiles; nothing here runs it.  make check runs it
# too, through tests/func/jail_freebsd_build.t.
check-freebsd:
	CC="$(CC)" tests/freebsd/check.sh

# libFuzzer targets: every parser of untrusted input.  FUZZTIME seconds
# each; the corpus seeds live in tests/fuzz/corpus/<target>/.
FB	 = build-fuzz
FUZZTIME ?= 20
FUZZCFLAGS = -O1 -g -std=gnu11 -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) \
	   -fsanitize=fuzzer-no-link,address,undefined -DFUZZING \
	   -DSTASIS_VERSION='"$(VERSION)"'
FUZZLIBOBJS := $(LIBSRCS:%.c=$(FB)/%.o)
FUZZBINS := $(FUZZSRCS:tests/fuzz/%.c=$(FB)/%)

$(FB)/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZCFLAGS) -c -o $@ $<

$(FB)/libstasis.a: $(FUZZLIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FB)/libstasis.a
	clang $(FUZZCFLAGS) -fsanitize=fuzzer -o $@ $^ -Wl,-u,http_tls_ops \
	    $(LDLIBS)

fuzz-build: $(FUZZBINS)

fuzz: fuzz-build
	FUZZTIME=$(FUZZTIME) tests/fuzz/run.sh $(FUZZBINS)

bench: all
	STASIS_BUILD=$(CURDIR)/$(B) PATH=$(CURDIR)/$(B)/bin:$$PATH \
	    bench/run.sh $(BENCH)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MOUNTHELPERDIR)
	install -m 755 $(B)/stasis $(DESTDIR)$(SBINDIR)/stasis
	install -m 755 $(B)/stasis-jailtools \
	    $(DESTDIR)$(SBINDIR)/stasis-jailtools
	install -m 755 $(B)/stasis-tarfs $(DESTDIR)$(SBINDIR)/stasis-tarfs
	install -m 755 $(B)/stasis-hooks $(DESTDIR)$(SBINDIR)/stasis-hooks
	for p in $(PERSONALITIES); do \
		[ $$p = mount.tarfs ] && continue; \
		ln -sf stasis $(DESTDIR)$(SBINDIR)/$$p; done
	for p in $(JAILTOOLS); do \
		ln -sf stasis-jailtools $(DESTDIR)$(SBINDIR)/$$p; done
	ln -sf $(SBINDIR)/stasis-tarfs $(DESTDIR)$(MOUNTHELPERDIR)/mount.tarfs
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	# `man jail` finds the page the personality link runs.
	for a in $(MANALIASES); do \
		echo ".so man8/$${a#*:}.8" > $(DESTDIR)$(MANDIR)/man8/$${a%%:*}.8; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/stasis $(DESTDIR)$(MOUNTHELPERDIR)/mount.tarfs
	rm -f $(DESTDIR)$(SBINDIR)/stasis-jailtools $(DESTDIR)$(SBINDIR)/stasis-tarfs \
	    $(DESTDIR)$(SBINDIR)/stasis-hooks
	for p in $(PERSONALITIES); do rm -f $(DESTDIR)$(SBINDIR)/$$p; done
	for m in $(MANPAGES); do s=$${m##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	for a in $(MANALIASES); do \
		rm -f $(DESTDIR)$(MANDIR)/man8/$${a%%:*}.8; done

clean:
	rm -rf build build-san build-fuzz

.PHONY: all links check check-freebsd fuzz fuzz-build bench install uninstall clean
.SECONDARY:

-include $(LIBOBJS:.o=.d) $(B)/src/stasis.d $(UNITBINS:=.d)
