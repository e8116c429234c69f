-- fxaudit study schema, version 2: what the post-op audit measures beyond the
-- screws (fragments, plates, the registration's residuals) and the software's
-- automatic estimate of the reduction at the dome. Lengths are millimetres,
-- angles degrees, areas square millimetres; poses are row-major 4x4 matrices in
-- the plan's LPS coordinates.

-- Per planned fragment: its post-op pose against its planned one, both mapped
-- into plan coordinates. pose maps the planned fragment onto the post-op one
-- (x_postop = R x_planned + t); translation_mm is the displacement of the
-- fragment's centroid, rotation_deg the angle of R. found = 0 when the fragment
-- could not be matched in the post-op CT (the numbers are then NULL).
CREATE TABLE fragment_deviations (
    id INTEGER PRIMARY KEY,
    plan_fragment_id INTEGER NOT NULL REFERENCES plan_fragments(id),
    registration_id INTEGER REFERENCES registrations(id),
    found INTEGER NOT NULL CHECK (found IN (0, 1)),
    pose TEXT CHECK (pose IS NULL OR (json_valid(pose) AND json_array_length(pose) = 16)),
    dx_mm REAL, dy_mm REAL, dz_mm REAL,
    translation_mm REAL CHECK (translation_mm >= 0),
    rotation_deg REAL CHECK (rotation_deg BETWEEN 0 AND 180),
    rms_mm REAL CHECK (rms_mm >= 0),
    inlier_fraction REAL CHECK (inlier_fraction BETWEEN 0 AND 1),
    CHECK (found = 1 OR (pose IS NULL AND translation_mm IS NULL AND rotation_deg IS NULL)),
    UNIQUE (plan_fragment_id, registration_id)
);

-- Per planned plate: the same against the metal of the post-op CT.
CREATE TABLE plate_deviations (
    id INTEGER PRIMARY KEY,
    plan_plate_id INTEGER NOT NULL REFERENCES plan_plates(id),
    registration_id INTEGER REFERENCES registrations(id),
    found INTEGER NOT NULL CHECK (found IN (0, 1)),
    pose TEXT CHECK (pose IS NULL OR (json_valid(pose) AND json_array_length(pose) = 16)),
    dx_mm REAL, dy_mm REAL, dz_mm REAL,
    translation_mm REAL CHECK (translation_mm >= 0),
    rotation_deg REAL CHECK (rotation_deg BETWEEN 0 AND 180),
    rms_mm REAL CHECK (rms_mm >= 0),
    inlier_fraction REAL CHECK (inlier_fraction BETWEEN 0 AND 1),
    CHECK (found = 1 OR (pose IS NULL AND translation_mm IS NULL AND rotation_deg IS NULL)),
    UNIQUE (plan_plate_id, registration_id)
);

-- The registration's residuals as a histogram of unsigned closest-point
-- distances (moving points after the registration to the fixed surface), one row
-- a bin [lo_mm, hi_mm); inlier = 1 for the bins below the trimming cut.
CREATE TABLE registration_residuals (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    lo_mm REAL NOT NULL CHECK (lo_mm >= 0),
    hi_mm REAL NOT NULL CHECK (hi_mm > lo_mm),
    count INTEGER NOT NULL CHECK (count >= 0),
    inlier INTEGER NOT NULL CHECK (inlier IN (0, 1)),
    UNIQUE (registration_id, lo_mm)
);

-- The software's estimate of gap and step-off at the dome (beside the
-- observers' values, never instead of them: docs/reduction-estimate.md).
CREATE TABLE dome_estimates (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    series_id INTEGER REFERENCES series(id),
    timepoint TEXT NOT NULL CHECK (timepoint IN ('preop', 'postop', 'followup')),
    plane TEXT NOT NULL CHECK (plane IN ('axial', 'coronal', 'sagittal', 'max')),
    gap_mm REAL CHECK (gap_mm >= 0),
    step_mm REAL CHECK (step_mm >= 0),
    gap_area_mm2 REAL CHECK (gap_area_mm2 >= 0),
    method TEXT NOT NULL CHECK (length(method) > 0),
    created_utc TEXT NOT NULL,
    UNIQUE (patient_id, timepoint, plane)
);
