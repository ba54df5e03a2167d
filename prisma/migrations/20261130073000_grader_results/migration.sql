-- Grader: scores, status and provenance of submissions; per-check status and points.
ALTER TABLE "Submission" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'fail';
ALTER TABLE "Submission" ADD COLUMN "score" REAL NOT NULL DEFAULT 0;
ALTER TABLE "Submission" ADD COLUMN "maxScore" REAL NOT NULL DEFAULT 0;
ALTER TABLE "Submission" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'check';
ALTER TABLE "Submission" ADD COLUMN "notes" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "CheckResult" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'fail';
ALTER TABLE "CheckResult" ADD COLUMN "description" TEXT NOT NULL DEFAULT '';
ALTER TABLE "CheckResult" ADD COLUMN "points" REAL NOT NULL DEFAULT 0;
ALTER TABLE "CheckResult" ADD COLUMN "maxPoints" REAL NOT NULL DEFAULT 0;
