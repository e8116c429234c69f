# box.gp - box plots side by side (e.g. gap before and after surgery).
# boxes.dat: x q1 whisker_lo whisker_hi q3 median n (computed by fxaudit with
# quantile definition 6); points.dat: x value; pairs.dat: one block per
# subject joining its values across groups (drawn when PAIRED is 1).
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set xrange [0.4 : @NGROUPS@ + 0.6]
set xtics @XTICS@ scale 0
set boxwidth 0.38
set style fill solid 1.0 border lc rgb '#333333'
set offsets 0, 0, graph 0.05, graph 0.02
BOXES = "'@DIR@/boxes.dat' using 1:2:3:4:5 with candlesticks whiskerbars 0.5 lc rgb '#333333' fc rgb '#cfe3f1', '' using 1:6:6:6:6 with candlesticks lc rgb '#000000' lw 1.6"
POINTS = "'@DIR@/points.dat' using 1:2 with points lt 1"
if (@PAIRED@) {
    plot '@DIR@/pairs.dat' using 1:2 with lines lc rgb '#b0b0b0' lw 0.6, @BOXES, @POINTS
} else {
    plot @BOXES, @POINTS
}
