#!/usr/bin/env bash
# Compiles a kernel tree's translation unit and, when that fails, says in
# one sentence which kernel interface the shims lack (kernel/README.md,
# "When a tree does not build"):
#
#   kernel/first-error.sh X.Y KSRC -- COMPILER ARGS...
#
# The compiler runs with -Wfatal-errors, so it stops at the first error:
# what it printed (the kernel's warnings, then that error) is shown as it
# is, then the sentence, read from the error's message (gcc's or clang's
# wording): a function, type, member, constant or header kernel/include
# does not provide, or an interface whose shape differs.  The exit status
# is the compiler's.
set -uo pipefail

[ $# -ge 4 ] && [ "$3" = -- ] || { echo "usage: $0 X.Y KSRC -- COMPILER ARGS..." >&2; exit 2; }
ver=$1
tree=$(cd "$2" 2>/dev/null && pwd) || tree=$2
shift 3

out=$(LC_ALL=C "$@" -Wfatal-errors 2>&1)
status=$?
[ -z "$out" ] || printf '%s\n' "$out" >&2
[ "$status" -ne 0 ] || exit 0

first=$(printf '%s\n' "$out" | grep -m1 -E ':[0-9]+(:[0-9]+)?: (fatal )?error: ')
file=${first%%:*}
msg=${first#*error: }

# Who holds the line: the tree, or our side of the translation unit.
case $file in
"$tree"/drivers/vfio/vfio_iommu_type1.c) who="Linux $ver's vfio_iommu_type1.c" ;;
"$tree"/*) who="Linux $ver's ${file#"$tree"/}" ;;
*kernel/check.c | *kernel/backend.c) who="kernel/${file##*kernel/}, built with Linux $ver's type1," ;;
*kernel/include/*) who="kernel/include/${file##*kernel/include/}, built for Linux $ver," ;;
'') who="Linux $ver's tree" ;;
*) who="$file, built for Linux $ver," ;;
esac
ours=0
case $file in "$tree"/*) ;; *) ours=1 ;; esac

# quoted N: the Nth 'quoted' word of the message.
quoted() {
	printf '%s\n' "$msg" | sed -n -e "s/^\\([^']*'[^']*'\\)\\{$(($1 - 1))\\}[^']*'\\([^']*\\)'.*/\\2/p"
}
# The function a clang "too many arguments" error is about: its note.
noted() {
	printf '%s\n' "$out" | sed -n -e "s/.*note: '\\([^']*\\)' declared here.*/\\1/p" | head -n 1
}

case $msg in
*"implicit declaration of function"* | *"call to undeclared function"*)
	what="calls $(quoted 1)(), which kernel/include does not provide" ;;
*"storage size of"*)
	what="declares $(quoted 1) of a type kernel/include does not provide" ;;
*"unknown type name"* | *"incomplete type"* | *"undefined type"*)
	what="uses the type $(quoted 1), which kernel/include does not provide" ;;
*"has no member named"*)
	if [ "$ours" -eq 1 ]; then
		what="reads $(quoted 1)'s member $(quoted 2), which this type1 does not have: the release in kernel/include/kshim_linux.h that selects it is wrong for Linux $ver"
	else
		what="uses $(quoted 1)'s member $(quoted 2), which kernel/include's $(quoted 1) lacks"
	fi ;;
*"no member named"*)
	if [ "$ours" -eq 1 ]; then
		what="reads $(quoted 2)'s member $(quoted 1), which this type1 does not have: the release in kernel/include/kshim_linux.h that selects it is wrong for Linux $ver"
	else
		what="uses $(quoted 2)'s member $(quoted 1), which kernel/include's $(quoted 2) lacks"
	fi ;;
*"does not refer to any field"*)
	what="sets $(quoted 2)'s field $(quoted 1), which kernel/include's $(quoted 2) lacks" ;;
*"too many arguments to function call"* | *"too few arguments to function call"*)
	what="calls $(noted)() with other arguments than kernel/include declares: its shape changed (kernel/include/kshim_linux.h)" ;;
*"too many arguments to function"* | *"too few arguments to function"*)
	what="calls $(quoted 1)() with other arguments than kernel/include declares: its shape changed (kernel/include/kshim_linux.h)" ;;
*"conflicting types for"* | *"follows non-static declaration"*)
	what="declares $(quoted 1) otherwise than kernel/include does: its shape changed (kernel/include/kshim_linux.h)" ;;
*"incompatible pointer type"* | *"incompatible function pointer types"*)
	what="passes or sets a pointer of a type kernel/include declares otherwise (an interface changed shape: kernel/include/kshim_linux.h)" ;;
*"undeclared"*)
	what="uses $(quoted 1), which kernel/include does not define" ;;
*"No such file or directory"*)
	what="includes <${msg%%: No such file*}>, which kernel/include does not provide" ;;
*"file not found"*)
	what="includes <$(quoted 1)>, which kernel/include does not provide" ;;
*redefinition* | *redeclaration* | *"redeclared as"*)
	what="defines $(quoted 1) again, which kernel/include defines too (a header of the tree now declares it: kernel/include/linux/vfio.h)" ;;
*)
	what="does not build on the shims (the error above)" ;;
esac
echo "kcheck: $who $what: see kernel/README.md, \"Adding a kernel version\"." >&2
exit "$status"
