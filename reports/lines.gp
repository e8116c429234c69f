# lines.gp - one line with markers per series (e.g. each patient's SMFA index
# over time). series.dat: blocks separated by two blank lines, each opening
# with a header line whose first field is the series' name. XTICS lists the
# distinct x values when there are few (time points), else autofreq.
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set key outside right top vertical Left reverse samplen 2 spacing 1.1
set offsets 0, 0, graph 0.05, graph 0.05
set xrange [@XMIN@ : @XMAX@]
set xtics @XTICS@
plot for [i = 0 : @NSERIES@ - 1] '@DIR@/series.dat' index i using 1:2 \
    with linespoints lt (i + 1) lw 1.2 title columnheader(1)
