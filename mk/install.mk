# make install and uninstall (included by the Makefile): the model as a
# library for other programs, and the vfiosim command.  make install-check
# (tools/install-check.sh) installs into a temporary DESTDIR and builds the
# README's example against that copy alone.
#
# Installed, under DESTDIR (empty: the real system) and the directories
# below (the GNU coding standards' names and defaults; the lowercase
# spellings, prefix=... libdir=..., are taken as well):
#   BINDIR/vfiosim                      the command, built as in build/
#   MANDIR/man1/vfiosim.1               its page, made from its --help
#   LIBDIR/libvfiosim.a                 the model, static
#   LIBDIR/libvfiosim.so.MAJOR.MINOR    and shared, soname libvfiosim.so.MAJOR,
#   LIBDIR/libvfiosim.so.MAJOR, .so       its links
#   INCLUDEDIR/vfiosim/vfiosim*.h       the contract
#   INCLUDEDIR/vfiosim/uapi/linux/vfio.h  the UAPI copy the library was built
#                                       with, for programs without one
#   PKGCONFIGDIR/vfiosim.pc             -I INCLUDEDIR/vfiosim -lvfiosim: the
#                                       program's own <linux/vfio.h>
#   PKGCONFIGDIR/vfiosim-uapi.pc        the same with the UAPI copy first
# Nothing else: the kernel backend is built per kernel tree, never installed.

PREFIX       ?= $(or $(prefix),/usr/local)
EXEC_PREFIX  ?= $(or $(exec_prefix),$(PREFIX))
BINDIR       ?= $(or $(bindir),$(EXEC_PREFIX)/bin)
LIBDIR       ?= $(or $(libdir),$(EXEC_PREFIX)/lib)
INCLUDEDIR   ?= $(or $(includedir),$(PREFIX)/include)
DATAROOTDIR  ?= $(or $(datarootdir),$(PREFIX)/share)
MANDIR       ?= $(or $(mandir),$(DATAROOTDIR)/man)
PKGCONFIGDIR ?= $(or $(pkgconfigdir),$(LIBDIR)/pkgconfig)
INSTALL      ?= install

MAN_PAGE := $(O)/vfiosim.1
PUBLIC_H := $(sort $(wildcard sim/include/vfiosim*.h))
INSTALL_DIRS := $(BINDIR) $(MANDIR)/man1 $(LIBDIR) $(PKGCONFIGDIR) \
		$(INCLUDEDIR)/vfiosim/uapi/linux
# What install puts and uninstall removes, one list for both.
INSTALLED := $(BINDIR)/vfiosim $(MANDIR)/man1/vfiosim.1 $(LIBDIR)/libvfiosim.a \
	     $(LIBDIR)/libvfiosim.so.$(VERSION) $(LIBDIR)/$(SONAME) $(LIBDIR)/libvfiosim.so \
	     $(PUBLIC_H:sim/include/%=$(INCLUDEDIR)/vfiosim/%) \
	     $(INCLUDEDIR)/vfiosim/uapi/linux/vfio.h \
	     $(PKGCONFIGDIR)/vfiosim.pc $(PKGCONFIGDIR)/vfiosim-uapi.pc
# Directories that hold nothing but ours, removed by uninstall once empty.
OWN_DIRS := $(INCLUDEDIR)/vfiosim/uapi/linux $(INCLUDEDIR)/vfiosim/uapi $(INCLUDEDIR)/vfiosim

.PHONY: install uninstall install-check deps-install-check install-dirs-check
all: $(MAN_PAGE)

$(MAN_PAGE): $(VFIOSIM_BIN) tools/man-from-help.sh
	$(call say,GEN,$@)tools/man-from-help.sh $(VFIOSIM_BIN) >$@.tmp && mv $@.tmp $@

# A relative directory would land wherever make runs.
install-dirs-check:
	@for d in $(PREFIX) $(EXEC_PREFIX) $(INSTALL_DIRS); do \
		case $$d in /*) ;; *) echo "make install: '$$d' is not an absolute path" \
			"(PREFIX, BINDIR, LIBDIR, INCLUDEDIR, MANDIR, PKGCONFIGDIR...)" >&2; exit 2;; esac; \
	done

# $(call pc_dir,DIR,BASE,NAME): DIR as a .pc file writes it, ${NAME}/...
# when it lies under BASE, so that pkg-config --define-prefix can move it.
pc_dir = $(if $(filter $(2) $(2)/%,$(1)),$${$(3)}$(patsubst $(2)%,%,$(1)),$(1))
PC_SED := -e 's|@PREFIX@|$(PREFIX)|' \
	  -e 's|@EXEC_PREFIX@|$(call pc_dir,$(EXEC_PREFIX),$(PREFIX),prefix)|' \
	  -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR),$(EXEC_PREFIX),exec_prefix)|' \
	  -e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR),$(PREFIX),prefix)|' \
	  -e 's|@VERSION@|$(VERSION)|'

# Builds nothing that make (all) did not: as root after make, no compiler
# runs as root.  ldconfig refreshes the loader's cache for a real install.
install: all install-dirs-check
	@$(INSTALL) -d $(addprefix "$(DESTDIR),$(addsuffix ",$(INSTALL_DIRS)))
	$(call say,INSTALL,$(DESTDIR)$(BINDIR)/vfiosim)$(INSTALL) -m 755 $(VFIOSIM_BIN) \
		"$(DESTDIR)$(BINDIR)/vfiosim"
	$(call say,INSTALL,$(DESTDIR)$(MANDIR)/man1/vfiosim.1)$(INSTALL) -m 644 $(MAN_PAGE) \
		"$(DESTDIR)$(MANDIR)/man1/vfiosim.1"
	$(call say,INSTALL,$(DESTDIR)$(LIBDIR)/libvfiosim.a)$(INSTALL) -m 644 $(LIB) \
		"$(DESTDIR)$(LIBDIR)/libvfiosim.a"
	$(call say,INSTALL,$(DESTDIR)$(LIBDIR)/libvfiosim.so.$(VERSION))$(INSTALL) -m 755 $(SHLIB) \
		"$(DESTDIR)$(LIBDIR)/libvfiosim.so.$(VERSION)"
	@ln -sf libvfiosim.so.$(VERSION) "$(DESTDIR)$(LIBDIR)/$(SONAME)"
	@ln -sf $(SONAME) "$(DESTDIR)$(LIBDIR)/libvfiosim.so"
	$(call say,INSTALL,$(DESTDIR)$(INCLUDEDIR)/vfiosim/)$(INSTALL) -m 644 $(PUBLIC_H) \
		"$(DESTDIR)$(INCLUDEDIR)/vfiosim/"
	$(call say,INSTALL,$(DESTDIR)$(INCLUDEDIR)/vfiosim/uapi/linux/vfio.h)$(INSTALL) -m 644 \
		uapi/linux/vfio.h "$(DESTDIR)$(INCLUDEDIR)/vfiosim/uapi/linux/vfio.h"
	$(call say,GEN,$(DESTDIR)$(PKGCONFIGDIR)/vfiosim.pc)sed $(PC_SED) mk/vfiosim.pc.in \
		>"$(DESTDIR)$(PKGCONFIGDIR)/vfiosim.pc"
	$(call say,GEN,$(DESTDIR)$(PKGCONFIGDIR)/vfiosim-uapi.pc)sed $(PC_SED) \
		mk/vfiosim-uapi.pc.in >"$(DESTDIR)$(PKGCONFIGDIR)/vfiosim-uapi.pc"
	@$(if $(DESTDIR),:,[ "$$(id -u)" -ne 0 ] || ldconfig)

uninstall: install-dirs-check
	$(call say,RM,what install put under $(DESTDIR)$(PREFIX))rm -f \
		$(addprefix "$(DESTDIR),$(addsuffix ",$(INSTALLED)))
	@for d in $(OWN_DIRS); do \
		[ ! -d "$(DESTDIR)$$d" ] || rmdir "$(DESTDIR)$$d" 2>/dev/null || \
		echo "make uninstall: $(DESTDIR)$$d is not empty: left in place"; \
	done
	@$(if $(DESTDIR),:,[ "$$(id -u)" -ne 0 ] || ldconfig)

deps-install-check:
	@tools/deps.sh test install-check

install-check: deps-install-check
	@MAKE="$(MAKE)" CC="$(CC)" tools/install-check.sh $(O)
