import { X509Certificate } from "node:crypto";
import type { CheckModule } from "../../grader/checks/files";

/**
 * The troubleshooting lesson's apiserver-expiry exercise: ~/apiserver-expiry.txt must hold the
 * notAfter= line of the controlplane's own apiserver.crt. Its date cannot be written into the
 * lesson (kubeadm issues the certificate when the cluster starts), so it is read from the node;
 * node:crypto's validTo is OpenSSL's own date format ("Dec  2 00:45:35 2027 GMT").
 */
export const check: CheckModule["check"] = async ({ cluster }) => {
  const { readNodeFile, readHomeFile } = cluster.files;
  if (!readNodeFile || !readHomeFile) throw new Error("node and home files cannot be read for this cluster");
  const pem = await readNodeFile.call(cluster.files, "controlplane", "/etc/kubernetes/pki/apiserver.crt");
  if (pem === undefined)
    return { pass: false, message: "No file /etc/kubernetes/pki/apiserver.crt on node controlplane" };
  const expected = `notAfter=${new X509Certificate(pem).validTo}`;
  const saved = await readHomeFile.call(cluster.files, "apiserver-expiry.txt");
  if (saved === undefined) return { pass: false, message: "No file apiserver-expiry.txt in your home folder" };
  const line = saved.split("\n").find((text) => text.startsWith("notAfter="));
  return line?.trim() === expected
    ? { pass: true, message: `apiserver-expiry.txt says ${expected}, apiserver.crt's expiry` }
    : {
        pass: false,
        message: `apiserver-expiry.txt says ${line?.trim() ?? "no notAfter= line"}; apiserver.crt's is ${expected}`,
      };
};
