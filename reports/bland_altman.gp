# bland_altman.gp - difference against mean of two observers' measurements,
# with the bias and the 95 % limits of agreement (computed by fxaudit as
# bias +/- 1.96 SD). points.dat: mean difference.
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set offsets graph 0.05, graph 0.05, 0, 0
set yrange [@YMIN@ : @YMAX@]
set arrow 1 from graph 0, first @BIAS@ to graph 1, first @BIAS@ nohead lw 1.4 lc rgb '#0072B2' front
set arrow 2 from graph 0, first @LOA_HI@ to graph 1, first @LOA_HI@ nohead dt 2 lw 1.2 lc rgb '#D55E00' front
set arrow 3 from graph 0, first @LOA_LO@ to graph 1, first @LOA_LO@ nohead dt 2 lw 1.2 lc rgb '#D55E00' front
set label 1 '@BIAS_LABEL@' at graph 0.99, first @BIAS@ right offset 0, 0.7 textcolor rgb '#0072B2' front
set label 2 '@HI_LABEL@' at graph 0.99, first @LOA_HI@ right offset 0, 0.7 textcolor rgb '#D55E00' front
set label 3 '@LO_LABEL@' at graph 0.99, first @LOA_LO@ right offset 0, -0.9 textcolor rgb '#D55E00' front
plot '@DIR@/points.dat' using 1:2 with points lt 1
