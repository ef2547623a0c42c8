# morgue — build, test, install.  See README.md.
#
#   make            library (static + shared) and the `morgue` program
#   make test       build and run the cmocka test suite
#   make sanitize   the same tests under AddressSanitizer + UBSan
#   make demo       fetch a real sample archive, index it, search it
#   make bench      the benchmark suite (bench/README.md)
#   make install PREFIX=/usr/local
#
# Every target that compiles depends on `deps`, which installs missing
# Debian packages (tools/deps.sh), so a fresh machine needs no manual step.

VERSION   := 0.1.0
SOVERSION := 0
PREFIX    ?= /usr/local

CC  ?= cc
CXX ?= c++
ifeq ($(CC),cc)
CC := gcc
endif

ifeq ($(SANITIZE),1)
BUILD    ?= build-san
OPT      ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_LD   := -fsanitize=address,undefined
else ifeq ($(SANITIZE),thread)
BUILD    ?= build-tsan
OPT      ?= -O1 -g -fno-omit-frame-pointer -fsanitize=thread
SAN_LD   := -fsanitize=thread
else
BUILD    ?= build
OPT      ?= -O2 -g
SAN_LD   :=
endif

WARN     := -Wall -Wextra -Werror
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -DMG_BUILDING
CFLAGS   += -std=c11 $(OPT) $(WARN) -fPIC -fvisibility=hidden -MMD -MP
CXXFLAGS += -std=c++17 $(OPT) $(WARN) -fPIC -fvisibility=hidden -MMD -MP
LDLIBS   := -lxapian -lstemmer -lutf8proc -ljansson -lgumbo -lisal -ldeflate -lz -lpthread -lm -lstdc++
CLI_LIBS := -lmicrohttpd
TEST_LIBS:= -lcmocka -lsqlite3

# Library modules, in data-flow order.  Each folder is one layer.
LIB_DIRS := src/util src/analysis src/index src/query src/ingest src/xapian src/api
LIB_C    := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_CXX  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cc))
LIB_OBJ  := $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
CLI_C    := $(wildcard src/cli/*.c src/serve/*.c)
CLI_OBJ  := $(CLI_C:%.c=$(BUILD)/%.o)

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_HELPERS := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_HOBJ := $(TEST_HELPERS:%.c=$(BUILD)/%.o)

EXAMPLES := $(patsubst tools/examples/%.c,$(BUILD)/examples/%,$(wildcard tools/examples/*.c))

STATIC := $(BUILD)/libmorgue.a
SHARED := $(BUILD)/libmorgue.so.$(VERSION)
MORGUE := $(BUILD)/morgue

SHARED_DIR ?= $(abspath $(CURDIR)/../shared)

.SECONDARY:
.PHONY: all deps test sanitize tsan check demo bench install uninstall clean fuzz fuzz-short
all: $(STATIC) $(SHARED) $(MORGUE) $(EXAMPLES)

deps: $(BUILD)/.deps
$(BUILD)/.deps: tools/deps.sh
	@mkdir -p $(BUILD)
	@bash tools/deps.sh
	@touch $@

$(BUILD)/%.o: %.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cc | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ) tools/libmorgue.map
	$(CXX) -shared -Wl,-soname,libmorgue.so.$(SOVERSION) -Wl,--version-script=tools/libmorgue.map $(SAN_LD) -o $@ $(LIB_OBJ) $(LDLIBS)
	ln -sf libmorgue.so.$(VERSION) $(BUILD)/libmorgue.so.$(SOVERSION)
	ln -sf libmorgue.so.$(VERSION) $(BUILD)/libmorgue.so

$(MORGUE): $(CLI_OBJ) $(STATIC)
	$(CC) $(SAN_LD) -o $@ $(CLI_OBJ) $(STATIC) $(CLI_LIBS) $(LDLIBS)

# Examples link the shared library: they may use only the public API.
$(BUILD)/examples/%: tools/examples/%.c $(SHARED)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -UMG_BUILDING $(CFLAGS) $(SAN_LD) -o $@ $< -L$(BUILD) -lmorgue -Wl,-rpath,'$$ORIGIN/..'

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_HOBJ) $(STATIC)
	$(CC) $(SAN_LD) -o $@ $< $(TEST_HOBJ) $(STATIC) $(TEST_LIBS) $(CLI_LIBS) $(LDLIBS)

test: all $(TEST_BIN)
	@MORGUE_BIN=$(abspath $(MORGUE)) MORGUE_BUILD=$(abspath $(BUILD)) \
	 MORGUE_SHARED=$(SHARED_DIR) MORGUE_SRC=$(CURDIR) \
	 bash tests/run.sh $(TEST_BIN)

sanitize:
	$(MAKE) SANITIZE=1 test

# The suite under ThreadSanitizer (indexing and search use threads).
tsan:
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(MAKE) SANITIZE=thread test

check: test

demo: all
	bash tools/demo.sh

bench:
	bash bench/run

# libFuzzer targets (clang from Debian): the query parser, and the ingest
# readers with the indexer's analysis of what they produce.
FUZZ_BUILD := build-fuzz
fuzz: | $(BUILD)/.deps
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang CXX=clang++ WARN="-Wall -Wextra" \
	  OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
	  SAN_LD="-fsanitize=address,undefined" $(FUZZ_BUILD)/libmorgue.a
	@mkdir -p $(FUZZ_BUILD)/fuzz
	for t in query ingest; do \
	  clang $(CPPFLAGS) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined \
	    -o $(FUZZ_BUILD)/fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $(FUZZ_BUILD)/libmorgue.a $(LDLIBS) \
	    || exit 1; \
	done

# Each target for FUZZ_SECONDS (default 60); the corpora grown in the run
# stay in $(FUZZ_BUILD)/corpus_*, the checked-in seeds are not touched.
fuzz-short: fuzz
	@mkdir -p $(FUZZ_BUILD)/corpus_query $(FUZZ_BUILD)/corpus_ingest
	$(FUZZ_BUILD)/fuzz/fuzz_query -max_total_time=$${FUZZ_SECONDS:-60} -max_len=256 \
	  $(FUZZ_BUILD)/corpus_query tests/fuzz/corpus_query
	$(FUZZ_BUILD)/fuzz/fuzz_ingest -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 \
	  -rss_limit_mb=4096 $(FUZZ_BUILD)/corpus_ingest tests/fuzz/corpus_ingest

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmorgue.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libmorgue.so.$(SOVERSION)
	ln -sf libmorgue.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libmorgue.so
	install -m 644 include/morgue.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(MORGUE) $(DESTDIR)$(PREFIX)/bin/
	[ ! -f doc/morgue.1 ] || install -m 644 doc/morgue.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' morgue.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/morgue.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libmorgue.* $(DESTDIR)$(PREFIX)/include/morgue.h \
	  $(DESTDIR)$(PREFIX)/bin/morgue $(DESTDIR)$(PREFIX)/lib/pkgconfig/morgue.pc \
	  $(DESTDIR)$(PREFIX)/share/man/man1/morgue.1

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(TEST_HOBJ:.o=.d)
