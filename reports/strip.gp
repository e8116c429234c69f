# strip.gp - every value of each group as a point over a light box plot
# (e.g. screw direction deviations), with an optional dashed tolerance line.
# boxes.dat: x q1 whisker_lo whisker_hi q3 median n; points.dat: x value
# (already spread sideways by fxaudit).
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set xrange [0.4 : @NGROUPS@ + 0.6]
set xtics @XTICS@ scale 0
set boxwidth 0.5
set style fill solid 1.0 border lc rgb '#8c8c8c'
set offsets 0, 0, graph 0.05, graph 0.02
if (@HAS_TOL@) {
    set arrow 1 from graph 0, first @TOL@ to graph 1, first @TOL@ nohead dt 2 lw 1.2 lc rgb '#D55E00' front
    set label 1 'tolerance' at graph 0.99, first @TOL@ right offset 0, 0.7 textcolor rgb '#D55E00' front
}
plot '@DIR@/boxes.dat' using 1:2:3:4:5 with candlesticks whiskerbars 0.4 \
         lc rgb '#8c8c8c' fc rgb '#eeeeee', \
     '' using 1:6:6:6:6 with candlesticks lc rgb '#555555' lw 1.4, \
     '@DIR@/points.dat' using 1:2 with points lt 1
