# histogram.gp - counts per bin. bins.dat: bin_centre count (binned by fxaudit,
# bins BINW wide starting at multiples of BINW).
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set boxwidth @BINW@ absolute
set style fill solid 1.0 border lc rgb '#333333'
set yrange [0 : *]
set offsets graph 0.03, graph 0.03, graph 0.08, 0
set ytics 1
set mytics 1
plot '@DIR@/bins.dat' using 1:2 with boxes lc rgb '#cfe3f1'
