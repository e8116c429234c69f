/*
 * enums.c - the enumerated values of the study schema, for validating input
 * before it reaches SQLite (whose CHECK would only say "constraint failed")
 * and for listing the choices in help texts. test_store.c checks that these
 * lists and the schema's CHECK lists agree.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fxaudit/store.h"

static const char *const sex[] = {"female", "male", "other", "unknown", NULL};
static const char *const age_band[] = {"0-17",  "18-29", "30-39", "40-49",   "50-59", "60-69",
                                       "70-79", "80-89", "90+",   "unknown", NULL};
static const char *const side[] = {"left", "right", "bilateral", NULL};
/* Letournel & Judet: five elementary, then five associated types. */
static const char *const fracture_type[] = {"posterior-wall",
                                            "posterior-column",
                                            "anterior-wall",
                                            "anterior-column",
                                            "transverse",
                                            "posterior-column-posterior-wall",
                                            "transverse-posterior-wall",
                                            "t-shaped",
                                            "anterior-posterior-hemitransverse",
                                            "both-column",
                                            NULL};
static const char *const approach[] = {"stoppa",
                                       "ilioinguinal",
                                       "pararectus",
                                       "kocher-langenbeck",
                                       "extended-iliofemoral",
                                       "combined",
                                       "percutaneous",
                                       "other",
                                       NULL};
static const char *const mechanism[] = {
    "traffic", "fall-from-height", "fall-from-standing", "crush", "sports", "other", "unknown",
    NULL};
static const char *const plates[] = {"none", "anterior", "posterior", "anterior-posterior", NULL};
static const char *const timepoint[] = {"preop", "postop", "followup", NULL};
static const char *const kind[] = {"ct", "labels", "mask", NULL};
static const char *const plane[] = {"axial", "coronal", "sagittal", NULL};
static const char *const occasion[] = {"pre-injury", "6-weeks", "3-months", "6-months",
                                       "1-year",     "2-years", "other",    NULL};
static const char *const role[] = {"surgeon",  "radiologist", "resident", "researcher",
                                   "software", "other",       NULL};
static const char *const return_to_work[] = {"yes",     "partial", "no", "not-applicable",
                                             "unknown", NULL};

static const struct {
    const char *field;
    const char *const *values;
} enums[] = {
    {"sex", sex},
    {"age_band", age_band},
    {"side", side},
    {"fracture_type", fracture_type},
    {"approach", approach},
    {"mechanism", mechanism},
    {"plates", plates},
    {"timepoint", timepoint},
    {"kind", kind},
    {"plane", plane},
    {"occasion", occasion},
    {"role", role},
    {"return_to_work", return_to_work},
};

const char *const *fx_store_enum_values(const char *field)
{
    for (size_t i = 0; i < sizeof(enums) / sizeof(*enums); i++)
        if (!strcmp(enums[i].field, field))
            return enums[i].values;
    return NULL;
}

int fx_store_enum_check(const char *field, const char *value, fx_error *err)
{
    const char *const *v = fx_store_enum_values(field);
    char list[512];
    size_t len = 0;

    if (!v)
        return fx_fail(err, FX_EINVAL, "'%s' is not an enumerated field", field);
    for (const char *const *p = v; *p; p++)
        if (value && !strcmp(*p, value))
            return FX_OK;
    list[0] = '\0';
    for (const char *const *p = v; *p && len < sizeof(list); p++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", p == v ? "" : ", ", *p);
    return fx_fail(err, FX_EINVAL, "%s '%s' is not one of: %s", field, value ? value : "", list);
}

int fx_store_code_check(const char *what, const char *code, fx_error *err)
{
    size_t n = code ? strlen(code) : 0;

    if (n < 1 || n >= FX_STORE_CODE_MAX)
        return fx_fail(err, FX_EINVAL, "%s code '%s' must have 1 to %d characters", what,
                       code ? code : "", FX_STORE_CODE_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return fx_fail(err, FX_EINVAL,
                           "%s code '%s' may hold only letters, digits, '-' and '_'", what, code);
    }
    return FX_OK;
}
