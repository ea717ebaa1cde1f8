# Plots of a dirtybench run: gnuplot -e "dir='build/bench'" bench/plot.gp
#
# Data files (written by dirtybench): x, then median, first and third
# quartile for kernel-alg, fast, linux-X.Y, memcpy, memset, fast-512B
# (-e "linux='linux-7.3'" names the real driver's column).

if (!exists("dir")) dir = "build/bench"
if (!exists("linux")) linux = "linux"

# Distinct x values (column c) of a data file, 0 when the run wrote none:
# a panel of one x has nothing to draw (and gnuplot warns of an empty range).
xvals(f, c) = int(system(sprintf("cat %s/%s 2>/dev/null | awk '!/^#/ && NF && !s[$%d]++ {n++} END {print n + 0}'", dir, f, c)))
rows(f) = xvals(f, 1)
path(f) = sprintf("%s/%s", dir, f)
med(k) = 2 + 3 * k
q1(k) = 3 + 3 * k
q3(k) = 4 + 3 * k
names = sprintf("kernel-alg fast %s memcpy memset", linux)

set terminal pngcairo size 1500,580 font "sans,11" noenhanced
set grid xtics ytics mytics lc rgb "#dddddd"
set key bottom center inside horizontal maxcols 3 samplen 3 opaque
set logscale x 2
set logscale y 10
set format x "%g"
set style line 1 lc rgb "#d62728" lw 2 pt 7 ps 1.0
set style line 2 lc rgb "#1f77b4" lw 2 pt 5 ps 1.0
set style line 3 lc rgb "#ff7f0e" lw 2 pt 9 ps 1.2 dt 2
set style line 4 lc rgb "#2ca02c" lw 2 pt 13 ps 1.0 dt 3
set style line 5 lc rgb "#7f7f7f" lw 2 pt 11 ps 1.0 dt 4

# The five series of the file named F, median with quartile bars.
series = "plot for [k=0:4] path(F) \
	using 1:(column(med(k))):(column(q1(k))):(column(q3(k))) \
	with yerrorlines ls (k + 1) title word(names, k + 1)"

# One PNG (out) with a panel per data file (files) of two rows or more.
do_panels = "n = 0; \
	do for [i=1:words(files)] { if (rows(word(files, i)) > 1) { n = n + 1 } }; \
	if (n > 0) { \
		set output path(out); \
		set multiplot layout 1, n title title font 'sans,14'; \
		set xlabel xl; set ylabel yl; \
		do for [i=1:words(files)] { \
			F = word(files, i); \
			if (rows(F) > 1) { set title word(titles, i); eval series } \
		}; \
		unset multiplot \
	}"

files = "size-aligned.dat size-unaligned.dat size-sparse.dat"
titles = "'1 mapping, aligned, all dirty' '4096 mappings, unaligned, all dirty' \
'4096 mappings, unaligned, 1024 pinned pages'"
title = "GET_BITMAP: time per GiB of user bitmap, 4 KiB pages (median; bars: quartiles)"
xl = "IOVA covered by the report (GiB)"
yl = "ms per GiB of bitmap (lower is faster)"
out = "bench-size.png"
eval do_panels

set key top center
files = "maps-range.dat maps-last.dat"
titles = "'GET over all of 64 GiB (unaligned, all dirty)' \
'GET over the last mapping only (64 GiB spread)'"
title = "GET_BITMAP: time per report against the number of mappings, 4 KiB pages"
xl = "mappings in the container"
yl = "microseconds per report"
out = "bench-mappings.png"
eval do_panels

# The scale section (scale.dat: index 0 the model, 1 the kernel backend):
# time of all steps, and peak RSS next to the bitmaps' bytes, by guest size.
kernel_rows = int(system(sprintf("cat %s/scale.dat 2>/dev/null | awk '!/^#/ && NF && $1 != \"model\" {n++} END {print n + 0}'", dir)))
if (xvals("scale.dat", 2) > 1) {
	set output path("scale.png")
	set multiplot layout 1, 2 title \
		"MAP + PIN + START + GET + UNMAP of a whole guest, 4 KiB bits, 1 GiB/2 MiB IOMMU pages" \
		font "sans,14"
	set key top left
	set xlabel "guest memory (GiB)"
	set ylabel "seconds, all steps"
	set title "time"
	# The kernel backend's block is there unless the run left it out (--no-kernel).
	if (kernel_rows > 0) {
		plot path("scale.dat") index 0 using 2:3 with linespoints ls 2 title "model", \
		     path("scale.dat") index 1 using 2:3 with linespoints ls 3 title linux
	} else {
		plot path("scale.dat") index 0 using 2:3 with linespoints ls 2 title "model"
	}
	set ylabel "MiB"
	set title "peak resident memory"
	if (kernel_rows > 0) {
		plot path("scale.dat") index 0 using 2:4 with linespoints ls 2 title "model: peak RSS", \
		     path("scale.dat") index 1 using 2:4 with linespoints ls 3 title linux.": peak RSS", \
		     path("scale.dat") index 0 using 2:5 with lines ls 5 title "model: bitmaps", \
		     path("scale.dat") index 1 using 2:5 with lines ls 4 title linux.": bitmaps"
	} else {
		plot path("scale.dat") index 0 using 2:4 with linespoints ls 2 title "model: peak RSS", \
		     path("scale.dat") index 0 using 2:5 with lines ls 5 title "model: bitmaps"
	}
	unset multiplot
}
