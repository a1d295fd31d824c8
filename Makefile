# make install [PREFIX=~/.local]: the release binaries, a man page and shell completions.
PREFIX ?= $(HOME)/.local
BIN := $(shell swift build -c release --show-bin-path 2>/dev/null)

.PHONY: build install uninstall

build:
	swift build -c release --product jellyfort
	swift build -c release --product jellyfort-emulator

install: build
	mkdir -p $(PREFIX)/bin $(PREFIX)/share/man/man1 \
	  $(PREFIX)/share/bash-completion/completions $(PREFIX)/share/zsh/site-functions $(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN)/jellyfort $(BIN)/jellyfort-emulator $(PREFIX)/bin/
	swift package plugin generate-manual
	install -m 644 .build/plugins/GenerateManual/outputs/jellyfort/jellyfort.1 $(PREFIX)/share/man/man1/
	$(PREFIX)/bin/jellyfort --generate-completion-script bash > $(PREFIX)/share/bash-completion/completions/jellyfort
	$(PREFIX)/bin/jellyfort --generate-completion-script zsh > $(PREFIX)/share/zsh/site-functions/_jellyfort
	$(PREFIX)/bin/jellyfort --generate-completion-script fish > $(PREFIX)/share/fish/vendor_completions.d/jellyfort.fish

uninstall:
	rm -f $(PREFIX)/bin/jellyfort $(PREFIX)/bin/jellyfort-emulator $(PREFIX)/share/man/man1/jellyfort.1 \
	  $(PREFIX)/share/bash-completion/completions/jellyfort $(PREFIX)/share/zsh/site-functions/_jellyfort \
	  $(PREFIX)/share/fish/vendor_completions.d/jellyfort.fish
