/** The cluster CA certificate a fresh cluster publishes in `kube-root-ca.crt` (a real self-signed CA, CN=kubernetes); hosts that serve TLS may pass their own. */
export const DEFAULT_CA_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUfH88pthUBys0fd2kEiJ+st66VYwwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMzAwNTU3NTlaFw0zNjExMjcw
NTU3NTlaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASmpeCTQgq2VNoZAZbW7d21S76eJahC96oxenX947UTtVhiA6OjtQgx
RduXeNMWy+8SCmqinsB4x6nF127zdRLLo2MwYTAdBgNVHQ4EFgQUX8Qrg4NUMbQ9
rbqaks4rnCFnSXwwHwYDVR0jBBgwFoAUX8Qrg4NUMbQ9rbqaks4rnCFnSXwwDwYD
VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAqQwCgYIKoZIzj0EAwIDSAAwRQIh
AK4+2JRKzRn35esQaEFvl/sFJizbYhF9fgn6zg9t+YB0AiBPhn7P7g8wwQuU6M09
phI5CuDAxWxSybuiiS1Hs/YFXQ==
-----END CERTIFICATE-----\n`;
