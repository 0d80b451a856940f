# Byline: the commands a person types. Meson and ninja do the building.
#   make          build build/byline
#   make run      install what is missing, build, create ./demo-site, serve it
#   make test     install, build and run every test suite
#   make deps     install the Debian packages (as root, or through sudo)

BUILD ?= build
SITE ?= demo-site
LISTEN ?= 127.0.0.1:8080

.PHONY: all build deps run test unit clean

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

test: deps build
	@./tests/run.sh $(BUILD)

unit: build
	@./tests/run.sh $(BUILD) unit

clean:
	rm -rf $(BUILD)
