# Byline: the commands a person types. Meson and ninja do the building.
#   make          build build/byline
#   make run      install what is missing, build, create ./demo-site, serve it
#   make test     install, build and run every test suite
#   make asan     build build-asan with AddressSanitizer and UBSan
#   make deps     install the Debian packages (as root, or through sudo)
#   make fuzz     run every libFuzzer harness FUZZ_SECONDS (60) each;
#                 FUZZ_TARGETS="form url" picks some (build in build-fuzz)
#   make bench    Byline against nginx and a minimal libmicrohttpd server;
#                 ARTICLES=10000 COMMENTS=100000 ROUNDS=3 DURATION=10
#                 GROWTH="100000:1000000"; writes bench/results.md

BUILD ?= build
SITE ?= demo-site
LISTEN ?= 127.0.0.1:8080
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
ASAN_BUILD ?= build-asan

.PHONY: all build deps run test unit asan fuzz clean

all: build

deps:
	@./scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: deps build
	@[ -f $(SITE)/byline.conf ] || ./$(BUILD)/byline demo $(SITE)
	./$(BUILD)/byline serve $(SITE) --listen $(LISTEN)

test: deps build asan
	@ASAN_BUILD=$(ASAN_BUILD) ./tests/run.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dbuildtype=debug

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

unit: build
	@./tests/run.sh $(BUILD) unit

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dfuzz=true

# Each harness starts from its seed corpus and works in a scratch copy, so
# the tree's corpus is not flooded; a crash stops the run and its input is
# left in tests/fuzz/crashes/ (move it to tests/fuzz/regress/TARGET/ once
# fixed). `-merge=1` adds only inputs that reach new code, on request:
#   make fuzz FUZZ_MERGE=1   (merges the scratch corpus back into the tree)
fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	@mkdir -p tests/fuzz/crashes
	@set -e; for t in $(FUZZ_TARGETS); do \
	    work=$$(mktemp -d); cp tests/fuzz/corpus/$$t/* $$work/; \
	    echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	    dict=; [ ! -f tests/fuzz/$$t.dict ] || dict=-dict=tests/fuzz/$$t.dict; \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ./$(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) $$dict \
	        -artifact_prefix=tests/fuzz/crashes/$$t- $$work \
	        >$$work.log 2>&1 || { tail -n 40 $$work.log; rm -rf $$work \
	        $$work.log; exit 1; }; \
	    grep -E '^#[0-9]+.*DONE' $$work.log; rm -f $$work.log; \
	    if [ -n "$(FUZZ_MERGE)" ]; then \
	        ./$(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -merge=1 \
	            tests/fuzz/corpus/$$t $$work >/dev/null 2>&1; fi; \
	    rm -rf $$work; \
	done
	@rmdir tests/fuzz/crashes 2>/dev/null || true

# Builds its own release build (build-bench) and caches generated sites
# there; see bench/README.md.
.PHONY: bench
bench: deps
	@ARTICLES='$(ARTICLES)' COMMENTS='$(COMMENTS)' GROWTH='$(GROWTH)' \
	    ROUNDS='$(ROUNDS)' DURATION='$(DURATION)' ./bench/bench.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
