/*
 * test_observers.c - the observer's reading folder and reading list on a real
 * study store in a temporary folder: images are copied under case codes only,
 * a volume whose header names its patient is refused and nothing is left
 * behind, and patients added later join the list after the existing cases.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/observers.h"
#include "fxaudit/store.h"

static char base[512];

static const char nrrd_head[] = "NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\n"
                                "spacing: 1 1 1\nencoding: raw\nendian: little\n";

/* A tiny NRRD volume; `extra` is one more header line (or ""). */
static void write_nrrd(const char *path, const char *extra)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "%s%s\n", nrrd_head, extra);
    for (int i = 0; i < 8; i++)
        fputc(i, f), fputc(0, f);
    fclose(f);
}

static void add_patient(fx_store *s, const char *code)
{
    fx_patient p;
    fx_patient_init(&p);
    snprintf(p.code, sizeof(p.code), "%s", code);
    assert_int_equal(fx_store_patient_add(s, &p, NULL), FX_OK);
}

static void add_ct(fx_store *s, const char *patient, const char *tp, const char *file)
{
    fx_series_rec r;
    fx_error err = {0};
    fx_series_rec_init(&r);
    snprintf(r.patient, sizeof(r.patient), "%s", patient);
    snprintf(r.timepoint, sizeof(r.timepoint), "%s", tp);
    r.dims[0] = r.dims[1] = r.dims[2] = 2;
    if (fx_store_series_add(s, &r, file, false, &err))
        fail_msg("%s", err.msg);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof(base), "%s/fxobs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(base));
    char dir[600];
    fx_store *s = NULL;
    snprintf(dir, sizeof(dir), "%s/study", base);
    assert_int_equal(fx_store_init(dir, "observer test", &s, NULL), FX_OK);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fx_store_close(*state);
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void the_reading_folder_names_images_by_case_code_only(void **state)
{
    fx_store *s = *state;
    char clean[600], out[600], img[700];
    json_t *list = NULL;
    fx_error err = {0};
    snprintf(clean, sizeof(clean), "%s/clean.nrrd", base);
    write_nrrd(clean, "");
    add_patient(s, "P01");
    add_patient(s, "P02");
    add_ct(s, "P01", "preop", clean);
    assert_int_equal(fx_observers_add(s, "O1", "surgeon", 5, NULL, NULL), FX_OK);
    snprintf(out, sizeof(out), "%s/reading-O1", base);
    if (fx_observers_export(s, "O1", out, &list, &err))
        fail_msg("%s", err.msg);

    size_t images = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *c = json_array_get(list, i);
        json_t *name = json_object_get(c, "image");
        if (!json_is_string(name))
            continue;
        images++;
        /* The copy is named <case code>.nrrd and holds the study's volume. */
        char want[64];
        snprintf(want, sizeof(want), "%s.nrrd", json_string_value(json_object_get(c, "case")));
        assert_string_equal(json_string_value(name), want);
        snprintf(img, sizeof(img), "%s/%s", out, want);
        struct stat st;
        assert_int_equal(stat(img, &st), 0);
        assert_int_equal(st.st_size, (off_t)(strlen(nrrd_head) + 1 + 16));
    }
    assert_int_equal(images, 1);
    char *text = json_dumps(list, 0);
    assert_null(strstr(text, "P01"));
    assert_null(strstr(text, "P02"));
    free(text);
    json_decref(list);

    DIR *d = opendir(out);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            files++;
            assert_null(strstr(e->d_name, "P0"));
        }
    closedir(d);
    assert_int_equal(files, 2); /* the image and worklist.json */
}

static void a_volume_whose_header_names_its_patient_is_not_exported(void **state)
{
    fx_store *s = *state;
    char clean[600], leaky[600], out[600];
    json_t *list = NULL;
    fx_error err = {0};
    snprintf(clean, sizeof(clean), "%s/clean.nrrd", base);
    snprintf(leaky, sizeof(leaky), "%s/leaky.nrrd", base);
    write_nrrd(clean, "");
    write_nrrd(leaky, "content: P02 postop CT");
    add_patient(s, "P01");
    add_patient(s, "P02");
    add_ct(s, "P01", "preop", clean);
    add_ct(s, "P02", "postop", leaky);
    assert_int_equal(fx_observers_add(s, "O1", NULL, -1, NULL, NULL), FX_OK);
    snprintf(out, sizeof(out), "%s/reading-O1", base);
    assert_int_equal(fx_observers_export(s, "O1", out, &list, &err), FX_ECONFLICT);
    assert_null(list);
    assert_non_null(strstr(err.msg, "names its patient"));
    assert_null(strstr(err.msg, "P02"));
    assert_int_equal(access(out, F_OK), -1); /* the folder it made is gone again */
}

static void patients_added_later_join_the_list_after_the_existing_cases(void **state)
{
    fx_store *s = *state;
    json_t *list = NULL;
    size_t n = 0;
    add_patient(s, "P01");
    add_patient(s, "P02");
    assert_int_equal(fx_observers_add(s, "O1", NULL, -1, &n, NULL), FX_OK);
    assert_int_equal(n, 4);
    add_patient(s, "P03");
    assert_int_equal(fx_observers_assign(s, "O1", &n, NULL), FX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(fx_observers_assign(s, "O1", &n, NULL), FX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(fx_observers_worklist(s, "O1", &list, NULL), FX_OK);
    assert_int_equal(json_array_size(list), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *c = json_array_get(list, i);
        assert_int_equal(json_integer_value(json_object_get(c, "order")), (json_int_t)i + 1);
        const char *code = json_string_value(json_object_get(c, "case"));
        assert_int_equal(strlen(code), 7);
        assert_int_equal(code[0], 'K');
    }
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_reading_folder_names_images_by_case_code_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_volume_whose_header_names_its_patient_is_not_exported,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(patients_added_later_join_the_list_after_the_existing_cases,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
