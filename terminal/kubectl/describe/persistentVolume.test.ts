import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

const volumes = `apiVersion: v1
kind: PersistentVolume
metadata: {name: pvt-local}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOncePod]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local
  local: {path: /mnt/disk}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [node01, node02]}
        - {key: disk, operator: Exists}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pvt-host}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadOnlyMany, ReadWriteOnce, ReadWriteMany]
  hostPath: {path: /data}
`;

/** What /usr/bin/kubectl 1.32 printed for these volumes (Status Pending: this cluster runs no PV controller). */
const expected = `Name:              pvt-local
Labels:            <none>
Annotations:       <none>
Finalizers:        []
StorageClass:      local
Status:            Pending
Claim:             
Reclaim Policy:    Retain
Access Modes:      RWOP
VolumeMode:        Filesystem
Capacity:          1Gi
Node Affinity:     
  Required Terms:  
    Term 0:        kubernetes.io/hostname in [node01, node02]
                   disk exists
Message:           
Source:
    Type:  LocalVolume (a persistent volume backed by local storage on a node)
    Path:  /mnt/disk
Events:    <none>


Name:            pvt-host
Labels:          <none>
Annotations:     <none>
Finalizers:      []
StorageClass:    
Status:          Pending
Claim:           
Reclaim Policy:  Retain
Access Modes:    RWO,ROX,RWX
VolumeMode:      Filesystem
Capacity:        5Gi
Node Affinity:   <none>
Message:         
Source:
    Type:          HostPath (bare host directory volume)
    Path:          /data
    HostPathType:  
Events:            <none>
`;

describe("kubectl describe pv and pvc as upstream's describePersistentVolume(Claim)", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
    await cluster.create(volumes);
  }, 60_000);
  afterAll(async () => cluster?.close());

  it("abbreviates access modes, prints the node affinity's terms and indents the source at level 2", async () => {
    const result = await cluster.kubectl("describe", "pv", "pvt-local", "pvt-host");
    expect(result.err).toBe("");
    expect(result.out).toBe(expected);
  });
});
