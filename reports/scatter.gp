# scatter.gp - points and, when HAS_FIT is 1, the least-squares line over the
# range of x. points.dat: x y; fit.dat: the line's two end points (fxaudit
# fits it, so the figure agrees with the numbers reported).
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set grid xtics ytics
set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.05
if (@HAS_FIT@) {
    plot '@DIR@/fit.dat' using 1:2 with lines lc rgb '#D55E00' lw 1.4, \
         '@DIR@/points.dat' using 1:2 with points lt 1
} else {
    plot '@DIR@/points.dat' using 1:2 with points lt 1
}
