-- CreateTable
CREATE TABLE "LearnerCluster" (
    "learnerId" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "tokenSha256" TEXT NOT NULL,
    "lessonId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LearnerCluster_learnerId_fkey" FOREIGN KEY ("learnerId") REFERENCES "Learner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LessonStartingState" (
    "lessonId" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "LearnerCluster_clusterId_key" ON "LearnerCluster"("clusterId");

