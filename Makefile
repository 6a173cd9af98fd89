# Flotilla build. Two build flavours share the same sources:
#   build/rel  -O2, for `make run` and `make bench`
#   build/san  ASan + UBSan, for `make test`
# Sources are found by wildcard: adding a file under src/<module>/ needs no
# Makefile change. src/cli/main.c is the only file outside libflotilla.a.

PKGS    := libevent libevent_openssl jansson yaml-0.1 sqlite3 libcurl openssl libprotobuf-c cmocka
CC      ?= cc
# snprintf into bounded buffers truncates on purpose (messages, keys); gcc
# only sees that at -O2, so -Wformat-truncation would split the two builds.
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers \
           -Wno-format-truncation -Wmissing-prototypes
BASE    := -std=gnu11 -g -D_GNU_SOURCE -Isrc $(WARN)
DEPS_OK := build/.deps-ok

REL_CFLAGS := $(BASE) -O2
SAN_CFLAGS := $(BASE) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all run test bench fuzz clean deps format

all: build/rel/flotilla

$(DEPS_OK): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p build && touch $@

deps: $(DEPS_OK)

# $(1) = flavour, $(2) = CFLAGS
define flavour
$(1)_OBJ := $$(patsubst src/%.c,build/$(1)/obj/%.o,$$(LIB_SRC))

build/$(1)/obj/%.o: src/%.c | $(DEPS_OK)
	@mkdir -p $$(@D)
	$$(CC) $(2) $$(shell pkg-config --cflags $(PKGS)) -MMD -MP -c $$< -o $$@

build/$(1)/libflotilla.a: $$($(1)_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^

build/$(1)/flotilla: build/$(1)/obj/cli/main.o build/$(1)/libflotilla.a
	$$(CC) $(2) build/$(1)/obj/cli/main.o -Wl,--whole-archive build/$(1)/libflotilla.a \
	    -Wl,--no-whole-archive $$(shell pkg-config --libs $(PKGS)) -lm -o $$@

-include $$(patsubst src/%.c,build/$(1)/obj/%.d,$$(LIB_SRC) src/cli/main.c)
endef

$(eval $(call flavour,rel,$(REL_CFLAGS)))
$(eval $(call flavour,san,$(SAN_CFLAGS)))

build/san/tests/%: tests/unit/%.c build/san/libflotilla.a | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(shell pkg-config --cflags $(PKGS)) $< build/san/libflotilla.a \
	    $(shell pkg-config --libs $(PKGS)) -lm -o $@

# Fuzz drivers: under gcc they are linked with a replay main that feeds every
# corpus file through LLVMFuzzerTestOneInput; `make fuzz` builds real libFuzzer
# binaries with clang.
build/san/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c build/san/libflotilla.a | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(shell pkg-config --cflags $(PKGS)) $< tests/fuzz/replay.c \
	    build/san/libflotilla.a $(shell pkg-config --libs $(PKGS)) -lm -o $@

UNIT_BIN := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/san/fuzz/%,$(FUZZ_SRC))

run: build/rel/flotilla
	scripts/run.sh build/rel/flotilla

# build/rel/flotilla too: `make run` and `make bench` use it, and -O2 sees
# warnings -O1 does not.
test: $(UNIT_BIN) $(FUZZ_BIN) build/san/flotilla build/rel/flotilla
	@tests/run-all.sh "$(UNIT_BIN)" "$(FUZZ_BIN)" $(CURDIR)/build/san/flotilla

fuzz: | $(DEPS_OK)
	@tests/fuzz/build-libfuzzer.sh

# The watch client of make bench (bench/watchfan.c): libevent, optimised.
build/rel/watchfan: bench/watchfan.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) $(shell pkg-config --cflags libevent libevent_openssl openssl) $< \
	    $(shell pkg-config --libs libevent libevent_openssl openssl) -o $@

bench: build/rel/flotilla build/rel/watchfan
	@scripts/deps.sh bench
	@bench/run.sh $(CURDIR)/build/rel/flotilla $(CURDIR)/build/rel/watchfan
	@bench/member.sh $(CURDIR)/build/rel/flotilla

# Generated sources (protobuf-c output, OpenAPI data) keep their generator's layout.
format:
	clang-format -i $(filter-out src/api/pb_% src/api/openapi_data.c,$(wildcard src/*/*.[ch])) \
	    tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build
