/** The study report: `renderReport` / `writeReport` (report.html from a study folder) and the results validator. */
export { renderReport, renderResults, writeReport, REPORT_FILES } from './render.js';
export { validateStudyResults, loadStudyResults, studySchemaPath, StudyResultsError } from './validate.js';
export { compileSchema, type CompiledSchema, type SchemaNode } from './schema.js';
export { DATA_URI_MAX_BYTES } from './assets.js';
