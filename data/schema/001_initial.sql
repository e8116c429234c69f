-- 001_initial.sql - schema version 1 of the fxaudit study database.
--
-- One database per study folder. It holds pseudonymised data only: patients are
-- study codes; there is no column for a name, a hospital ID, a date of birth or a
-- DICOM UID, and none may be added. Files (volumes, meshes, plans, transforms) live
-- in the study folder and are recorded by a path relative to it and their SHA-256.
-- Lengths are millimetres, angles degrees, CT values Hounsfield units. Matrices
-- are JSON arrays of 16 numbers, row-major, mapping moving into fixed coordinates.
-- Every row is written through the store, which appends an entry to audit_log in
-- the same transaction (see docs/study-store.md). The migration runner sets
-- PRAGMA user_version after this file; do not set it here.

CREATE TABLE study (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    title TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    created_utc TEXT NOT NULL,
    created_by_version TEXT NOT NULL
);

CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
        CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Za-z0-9_-]*'),
    sex TEXT CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    age_band TEXT CHECK (age_band IN ('0-17', '18-29', '30-39', '40-49', '50-59',
                                      '60-69', '70-79', '80-89', '90+', 'unknown')),
    side TEXT CHECK (side IN ('left', 'right', 'bilateral')),
    -- Letournel & Judet: five elementary and five associated types.
    fracture_type TEXT CHECK (fracture_type IN (
        'posterior-wall', 'posterior-column', 'anterior-wall', 'anterior-column',
        'transverse', 'posterior-column-posterior-wall', 'transverse-posterior-wall',
        't-shaped', 'anterior-posterior-hemitransverse', 'both-column')),
    approach TEXT CHECK (approach IN (
        'stoppa', 'ilioinguinal', 'pararectus', 'kocher-langenbeck',
        'extended-iliofemoral', 'combined', 'percutaneous', 'other')),
    mechanism TEXT CHECK (mechanism IN (
        'traffic', 'fall-from-height', 'fall-from-standing', 'crush', 'sports',
        'other', 'unknown')),
    plates TEXT CHECK (plates IN ('none', 'anterior', 'posterior', 'anterior-posterior')),
    injury_to_surgery_days INTEGER CHECK (injury_to_surgery_days >= 0),
    remark TEXT,
    created_utc TEXT NOT NULL
);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    timepoint TEXT NOT NULL CHECK (timepoint IN ('preop', 'postop', 'followup')),
    kind TEXT NOT NULL DEFAULT 'ct' CHECK (kind IN ('ct', 'labels', 'mask')),
    modality TEXT CHECK (modality GLOB '[A-Z][A-Z]*'),
    months_after_surgery REAL CHECK (months_after_surgery >= 0),
    dim_i INTEGER NOT NULL CHECK (dim_i > 0),
    dim_j INTEGER NOT NULL CHECK (dim_j > 0),
    dim_k INTEGER NOT NULL CHECK (dim_k > 0),
    spacing_x_mm REAL NOT NULL CHECK (spacing_x_mm > 0),
    spacing_y_mm REAL NOT NULL CHECK (spacing_y_mm > 0),
    spacing_z_mm REAL NOT NULL CHECK (spacing_z_mm > 0),
    origin_x_mm REAL NOT NULL,
    origin_y_mm REAL NOT NULL,
    origin_z_mm REAL NOT NULL,
    direction TEXT NOT NULL CHECK (json_valid(direction) AND json_array_length(direction) = 9),
    gantry_tilt_deg REAL CHECK (abs(gantry_tilt_deg) <= 90),
    resampled INTEGER NOT NULL DEFAULT 0 CHECK (resampled IN (0, 1)),
    notes TEXT,
    path TEXT NOT NULL UNIQUE CHECK (path NOT GLOB '/*' AND path NOT GLOB '*..*'),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    bytes INTEGER NOT NULL CHECK (bytes >= 0),
    created_utc TEXT NOT NULL
);
CREATE INDEX series_patient ON series(patient_id, timepoint);

CREATE TABLE meshes (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    series_id INTEGER REFERENCES series(id),
    role TEXT NOT NULL CHECK (role IN ('bone', 'fragment', 'hemipelvis', 'mirrored',
                                       'plate', 'screw', 'guide', 'other')),
    label TEXT,
    threshold_lo_hu REAL,
    threshold_hi_hu REAL,
    vertices INTEGER CHECK (vertices >= 0),
    triangles INTEGER CHECK (triangles >= 0),
    area_mm2 REAL CHECK (area_mm2 >= 0),
    volume_mm3 REAL,
    closed INTEGER CHECK (closed IN (0, 1)),
    path TEXT NOT NULL UNIQUE CHECK (path NOT GLOB '/*' AND path NOT GLOB '*..*'),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    created_utc TEXT NOT NULL
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    series_id INTEGER REFERENCES series(id),
    label TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    plan_json TEXT CHECK (plan_json IS NULL OR json_valid(plan_json)),
    path TEXT UNIQUE CHECK (path NOT GLOB '/*' AND path NOT GLOB '*..*'),
    sha256 TEXT CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    created_utc TEXT NOT NULL,
    CHECK ((path IS NULL) = (sha256 IS NULL)),
    UNIQUE (patient_id, label)
);

-- A fragment's pose maps its pre-op (displaced) position to the planned one.
CREATE TABLE plan_fragments (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    label TEXT NOT NULL,
    mesh_id INTEGER REFERENCES meshes(id),
    pose TEXT NOT NULL CHECK (json_valid(pose) AND json_array_length(pose) = 16),
    reference INTEGER NOT NULL DEFAULT 0 CHECK (reference IN (0, 1)),
    UNIQUE (plan_id, label)
);

CREATE TABLE plan_plates (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    label TEXT NOT NULL,
    position TEXT NOT NULL CHECK (position IN ('anterior', 'posterior', 'other')),
    mesh_id INTEGER REFERENCES meshes(id),
    thickness_mm REAL CHECK (thickness_mm > 0),
    holes INTEGER CHECK (holes >= 0),
    UNIQUE (plan_id, label)
);

CREATE TABLE plan_screws (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    plate_id INTEGER REFERENCES plan_plates(id),
    label TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'in-plate' CHECK (kind IN ('in-plate', 'column', 'lag', 'other')),
    entry_x_mm REAL NOT NULL, entry_y_mm REAL NOT NULL, entry_z_mm REAL NOT NULL,
    tip_x_mm REAL NOT NULL, tip_y_mm REAL NOT NULL, tip_z_mm REAL NOT NULL,
    diameter_mm REAL NOT NULL CHECK (diameter_mm > 0),
    length_mm REAL NOT NULL CHECK (length_mm > 0),
    UNIQUE (plan_id, label)
);

CREATE TABLE plan_guides (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    plate_id INTEGER REFERENCES plan_plates(id),
    label TEXT NOT NULL,
    mesh_id INTEGER REFERENCES meshes(id),
    sleeve_inner_mm REAL CHECK (sleeve_inner_mm > 0),
    kwire_holes INTEGER CHECK (kwire_holes >= 0),
    UNIQUE (plan_id, label)
);

-- x_fixed = R x_moving + t; `region` names the bone the match was made on.
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    plan_id INTEGER REFERENCES plans(id),
    fixed_mesh_id INTEGER REFERENCES meshes(id),
    moving_mesh_id INTEGER REFERENCES meshes(id),
    matrix TEXT NOT NULL CHECK (json_valid(matrix) AND json_array_length(matrix) = 16),
    rms_mm REAL NOT NULL CHECK (rms_mm >= 0),
    inlier_fraction REAL NOT NULL CHECK (inlier_fraction BETWEEN 0 AND 1),
    region TEXT NOT NULL,
    iterations INTEGER NOT NULL CHECK (iterations >= 0),
    converged INTEGER NOT NULL CHECK (converged IN (0, 1)),
    tfm_path TEXT UNIQUE CHECK (tfm_path NOT GLOB '/*' AND tfm_path NOT GLOB '*..*'),
    tfm_sha256 TEXT CHECK (length(tfm_sha256) = 64 AND tfm_sha256 NOT GLOB '*[^0-9a-f]*'),
    created_utc TEXT NOT NULL,
    CHECK ((tfm_path IS NULL) = (tfm_sha256 IS NULL))
);

-- Screws found in a post-op CT, in that series' coordinates.
CREATE TABLE actual_screws (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    series_id INTEGER REFERENCES series(id),
    label TEXT NOT NULL,
    entry_x_mm REAL NOT NULL, entry_y_mm REAL NOT NULL, entry_z_mm REAL NOT NULL,
    tip_x_mm REAL NOT NULL, tip_y_mm REAL NOT NULL, tip_z_mm REAL NOT NULL,
    diameter_mm REAL CHECK (diameter_mm > 0),
    length_mm REAL NOT NULL CHECK (length_mm > 0),
    UNIQUE (patient_id, series_id, label)
);

-- One row per planned screw; actual_screw_id NULL when it could not be placed.
CREATE TABLE screw_deviations (
    id INTEGER PRIMARY KEY,
    plan_screw_id INTEGER NOT NULL REFERENCES plan_screws(id),
    actual_screw_id INTEGER REFERENCES actual_screws(id),
    registration_id INTEGER REFERENCES registrations(id),
    angle_deg REAL CHECK (angle_deg BETWEEN 0 AND 90),
    entry_mm REAL CHECK (entry_mm >= 0),
    tip_mm REAL CHECK (tip_mm >= 0),
    length_diff_mm REAL,
    joint_penetration INTEGER CHECK (joint_penetration IN (0, 1)),
    CHECK (actual_screw_id IS NOT NULL OR (angle_deg IS NULL AND entry_mm IS NULL
                                           AND tip_mm IS NULL AND length_diff_mm IS NULL))
);

-- Observers are codes (OBS1); never names.
CREATE TABLE observers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
        CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Za-z0-9_-]*'),
    role TEXT CHECK (role IN ('surgeon', 'radiologist', 'resident', 'researcher', 'software',
                              'other')),
    experience_years INTEGER CHECK (experience_years >= 0),
    created_utc TEXT NOT NULL
);

-- What an observer sees: a case code instead of the patient, in a random order.
CREATE TABLE blinded_cases (
    id INTEGER PRIMARY KEY,
    observer_id INTEGER NOT NULL REFERENCES observers(id),
    case_code TEXT NOT NULL
        CHECK (length(case_code) BETWEEN 1 AND 32 AND case_code NOT GLOB '*[^A-Za-z0-9_-]*'),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    timepoint TEXT NOT NULL CHECK (timepoint IN ('preop', 'postop', 'followup')),
    series_id INTEGER REFERENCES series(id),
    order_index INTEGER NOT NULL CHECK (order_index >= 1),
    UNIQUE (observer_id, case_code),
    UNIQUE (observer_id, patient_id, timepoint),
    UNIQUE (observer_id, order_index)
);

-- The largest gap and step-off one observer measured in one plane of one case.
-- A correction is a new row that names the row it amends and why; rows are never
-- edited. The time point is the blinded case's (see measurement_view).
CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    observer_id INTEGER NOT NULL REFERENCES observers(id),
    case_id INTEGER NOT NULL REFERENCES blinded_cases(id),
    plane TEXT NOT NULL CHECK (plane IN ('axial', 'coronal', 'sagittal')),
    gap_mm REAL CHECK (gap_mm >= 0),
    step_mm REAL CHECK (step_mm >= 0),
    landmarks TEXT CHECK (landmarks IS NULL OR json_valid(landmarks)),
    remark TEXT,
    repeat_no INTEGER NOT NULL DEFAULT 1 CHECK (repeat_no >= 1),
    amends_id INTEGER REFERENCES measurements(id),
    amend_reason TEXT,
    measured_utc TEXT NOT NULL,
    CHECK (gap_mm IS NOT NULL OR step_mm IS NOT NULL),
    CHECK ((amends_id IS NULL) = (amend_reason IS NULL)),
    CHECK (amend_reason IS NULL OR length(amend_reason) > 0)
);
CREATE UNIQUE INDEX measurements_once ON measurements(observer_id, case_id, plane, repeat_no)
    WHERE amends_id IS NULL;
CREATE UNIQUE INDEX measurements_amended_once ON measurements(amends_id)
    WHERE amends_id IS NOT NULL;

CREATE VIEW measurement_view AS
    SELECT m.id, o.code AS observer, c.case_code, c.timepoint, p.code AS patient,
           m.plane, m.gap_mm, m.step_mm, m.landmarks, m.remark, m.repeat_no,
           m.amends_id, m.amend_reason, m.measured_utc,
           NOT EXISTS (SELECT 1 FROM measurements n WHERE n.amends_id = m.id) AS current
    FROM measurements m JOIN observers o ON o.id = m.observer_id
         JOIN blinded_cases c ON c.id = m.case_id JOIN patients p ON p.id = c.patient_id;

-- The value the study uses per patient, time point and plane ('max' over planes).
CREATE TABLE consensus (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    timepoint TEXT NOT NULL CHECK (timepoint IN ('preop', 'postop', 'followup')),
    plane TEXT NOT NULL CHECK (plane IN ('axial', 'coronal', 'sagittal', 'max')),
    gap_mm REAL CHECK (gap_mm >= 0),
    step_mm REAL CHECK (step_mm >= 0),
    method TEXT NOT NULL CHECK (method IN ('consensus-meeting', 'mean', 'max',
                                           'single-observer', 'software')),
    remark TEXT,
    created_utc TEXT NOT NULL,
    UNIQUE (patient_id, timepoint, plane)
);

CREATE TABLE grades (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    timepoint TEXT NOT NULL CHECK (timepoint IN ('preop', 'postop', 'followup')),
    consensus_id INTEGER REFERENCES consensus(id),
    scheme TEXT NOT NULL CHECK (length(scheme) > 0),
    grade TEXT NOT NULL CHECK (grade = lower(grade) AND length(grade) > 0),
    displacement_mm REAL CHECK (displacement_mm >= 0),
    created_utc TEXT NOT NULL,
    UNIQUE (patient_id, timepoint, scheme)
);

-- SMFA: 46 items answered 1..5 (higher is worse), per form and occasion.
CREATE TABLE smfa_forms (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    occasion TEXT NOT NULL CHECK (occasion IN ('pre-injury', '6-weeks', '3-months',
                                               '6-months', '1-year', '2-years', 'other')),
    months_after_surgery REAL CHECK (months_after_surgery >= 0),
    language TEXT,
    created_utc TEXT NOT NULL,
    UNIQUE (patient_id, occasion)
);

CREATE TABLE smfa_answers (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES smfa_forms(id),
    item INTEGER NOT NULL CHECK (item BETWEEN 1 AND 46),
    answer INTEGER NOT NULL CHECK (answer BETWEEN 1 AND 5),
    UNIQUE (form_id, item)
);

-- Transformed scores 0..100; `scale` is function, bother or a subscale of a key.
CREATE TABLE smfa_scores (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES smfa_forms(id),
    scale TEXT NOT NULL CHECK (length(scale) > 0),
    score REAL CHECK (score BETWEEN 0 AND 100),
    items_used INTEGER NOT NULL CHECK (items_used BETWEEN 0 AND 46),
    key_name TEXT,
    key_sha256 TEXT CHECK (length(key_sha256) = 64 AND key_sha256 NOT GLOB '*[^0-9a-f]*'),
    UNIQUE (form_id, scale)
);

CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    months_after_surgery REAL NOT NULL CHECK (months_after_surgery >= 0),
    return_to_work TEXT CHECK (return_to_work IN ('yes', 'partial', 'no',
                                                  'not-applicable', 'unknown')),
    tha_conversion INTEGER NOT NULL DEFAULT 0 CHECK (tha_conversion IN (0, 1)),
    tha_date TEXT CHECK (tha_date IS NULL OR date(tha_date) IS tha_date),
    remark TEXT,
    created_utc TEXT NOT NULL,
    CHECK (tha_conversion = 1 OR tha_date IS NULL),
    UNIQUE (patient_id, months_after_surgery)
);

CREATE TABLE complications (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL CHECK (kind IN ('infection', 'nerve-injury', 'vascular-injury',
        'thromboembolism', 'heterotopic-ossification', 'loss-of-reduction',
        'avascular-necrosis', 'implant-failure', 'intra-articular-screw', 'reoperation',
        'other')),
    months_after_surgery REAL CHECK (months_after_surgery >= 0),
    remark TEXT
);

-- Append-only, hash-chained: hash = SHA-256 over the entry's fields and
-- prev_hash (the previous entry's hash; 64 zeros for the first). content_hash is
-- the SHA-256 of the written row's canonical form (docs/study-store.md).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at_utc TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'event')),
    tbl TEXT,
    row_id INTEGER,
    what TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_row ON audit_log(tbl, row_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
