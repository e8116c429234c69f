-- fxaudit study schema, version 3: the software's dome estimate by more than
-- one method side by side (the CT-only estimate and the one from the plan and
-- the audit's fragment poses: docs/reduction-estimate.md). A patient's time
-- point and plane now hold one row per method. SQLite cannot change a table's
-- constraints in place: the table is made anew and its rows copied with their
-- ids, so the audit log's row references and content hashes stay valid.
CREATE TABLE dome_estimates_v3 (
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
    UNIQUE (patient_id, timepoint, plane, method)
);
INSERT INTO dome_estimates_v3 (id, patient_id, series_id, timepoint, plane, gap_mm, step_mm,
                               gap_area_mm2, method, created_utc)
    SELECT id, patient_id, series_id, timepoint, plane, gap_mm, step_mm, gap_area_mm2, method,
           created_utc
    FROM dome_estimates;
DROP TABLE dome_estimates;
ALTER TABLE dome_estimates_v3 RENAME TO dome_estimates;
