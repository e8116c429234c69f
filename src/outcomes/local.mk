# outcomes: SMFA forms kept in the study (smfa add/import/list) and the study's
# results section computed from the store (stats study).
libfxaudit_a_SOURCES += src/outcomes/smfastore.c src/outcomes/studystats.c \
	src/outcomes/studystats_blocks.c src/outcomes/studystats_smfa.c
noinst_HEADERS += include/fxaudit/smfastore.h include/fxaudit/studystats.h \
	src/outcomes/studystats_int.h src/cli/outcomes_cli.h
fxaudit_SOURCES += src/cli/cmd_smfa_store.c src/cli/cmd_stats_study.c
