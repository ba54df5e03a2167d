import type { ImageDefinition, ServerProgram } from "../ImageDefinition";
import { releases, standardPath } from "../tags";

/** nginx's stock pages share one head and style. */
const nginxPage = (title: string, body: string) => `<!DOCTYPE html>
<html>
<head>
<title>${title}</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
${body}`;

const nginxWelcomePage = nginxPage(
  "Welcome to nginx!",
  `<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`,
);

const nginxErrorPage = nginxPage(
  "Error",
  `<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
`,
);

const nginxConf = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`;

const nginxDefaultConf = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const nginxEntrypointLog = [
  "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
  "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
  "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
  "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
  "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
  "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
  "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
  "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
  "/docker-entrypoint.sh: Configuration complete; ready for start up",
];

const nginxTags = releases(
  ["1.27.3", 72099410, "latest mainline 1 1.27 1.27.3"],
  ["1.27.2", 72081243, "1.27.2"],
  ["1.27.0", 71027148, "1.27.0"],
  ["1.26.2", 71013221, "stable 1.26 1.26.2"],
  ["1.25.5", 70991807, "1.25 1.25.5"],
  ["1.24.0", 56747120, "1.24 1.24.0"],
  ["1.23.4", 57008436, "1.23 1.23.4"],
  ["1.21.6", 56732910, "1.21 1.21.6"],
  ["1.19.10", 53607870, "1.19"],
  ["1.16.1", 51030575, "1.16.1"],
  ["1.14.2", 44710204, "1.14.2"],
  ["1.7.9", 39947447, "1.7.9"],
  ["1.27.3", 20506631, "alpine 1.27-alpine 1.27.3-alpine"],
  ["1.27.3", 5225413, "alpine-slim"],
  ["1.26.2", 20344196, "1.26-alpine"],
  ["1.25.5", 19290367, "1.25-alpine"],
);

/** `nginx -v` / `-V` / `-t` as the image's nginx answers them (on stderr). */
const nginxInfoFlags = {
  "-v": { stderr: ["nginx version: nginx/{version}"] },
  "-V": {
    stderr: [
      "nginx version: nginx/{version}",
      "built by gcc 12.2.0 (Debian 12.2.0-14) ",
      "built with OpenSSL 3.0.15 3 Sep 2024",
      "TLS SNI support enabled",
      "configure arguments: --prefix=/etc/nginx --sbin-path=/usr/sbin/nginx --modules-path=/usr/lib/nginx/modules --conf-path=/etc/nginx/nginx.conf --error-log-path=/var/log/nginx/error.log --http-log-path=/var/log/nginx/access.log --pid-path=/var/run/nginx.pid --lock-path=/var/run/nginx.lock --user=nginx --group=nginx --with-http_ssl_module --with-http_v2_module --with-stream",
    ],
  },
  "-t": {
    stderr: [
      "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok",
      "nginx: configuration file /etc/nginx/nginx.conf test is successful",
    ],
  },
};

/** `httpd -v` (and `-t`) as Apache answers them. */
const httpdInfoFlags = {
  "-v": { stdout: ["Server version: Apache/{version} (Unix)", "Server built:   Nov  6 2024 18:04:45"] },
  "-t": { stderr: ["Syntax OK"] },
};

/** Apache in the foreground (httpd-foreground execs httpd -DFOREGROUND). */
const httpdServer: ServerProgram = {
  kind: "server",
  startupLog: [
    "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
    "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
    "[{time:apache}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/{version} (Unix) configured -- resuming normal operations",
    "[{time:apache}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'",
  ],
  listen: [
    {
      port: 80,
      http: {
        kind: "static",
        root: "/usr/local/apache2/htdocs",
        index: ["index.html"],
        server: "Apache/{version} (Unix)",
        notFoundPage:
          '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n',
      },
    },
  ],
  accessLog: "apache",
  infoFlags: httpdInfoFlags,
  memoryBytes: 6_541_312,
  cpuMillicores: 1,
  stopLog: ["[{time:apache}] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH, shutting down gracefully"],
  stopExitCode: 0,
};

/** nginx, httpd, traefik/whoami and hashicorp/http-echo. */
export const webServerImages: ImageDefinition[] = [
  {
    repository: "docker.io/library/nginx",
    tags: nginxTags,
    userland: "gnu",
    tools: ["curl"],
    os: "debian",
    config: {
      entrypoint: ["/docker-entrypoint.sh"],
      cmd: ["nginx", "-g", "daemon off;"],
      env: [
        standardPath,
        "NGINX_VERSION={version}",
        "NJS_VERSION=0.8.7",
        "NJS_RELEASE=1~bookworm",
        "PKG_RELEASE=1~bookworm",
        "DYNPKG_RELEASE=1~bookworm",
      ],
      exposedPorts: ["80/tcp"],
      stopSignal: "SIGQUIT",
    },
    files: {
      "/usr/share/nginx/html/index.html": nginxWelcomePage,
      "/usr/share/nginx/html/50x.html": nginxErrorPage,
      "/etc/nginx/nginx.conf": nginxConf,
      "/etc/nginx/conf.d/default.conf": nginxDefaultConf,
      "/var/log/nginx/access.log": "",
      "/var/log/nginx/error.log": "",
    },
    programs: {
      "/docker-entrypoint.sh": {
        kind: "entrypoint",
        whenFirstArgument: ["nginx", "nginx-debug"],
        log: nginxEntrypointLog,
      },
      "/usr/sbin/nginx": {
        kind: "server",
        startupLog: [
          '{time:nginx} [notice] 1#1: using the "epoll" event method',
          "{time:nginx} [notice] 1#1: nginx/{version}",
          "{time:nginx} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) ",
          "{time:nginx} [notice] 1#1: OS: Linux 6.8.0-1019-aws",
          "{time:nginx} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576",
          "{time:nginx} [notice] 1#1: start worker processes",
          "{time:nginx} [notice] 1#1: start worker process 29",
          "{time:nginx} [notice] 1#1: start worker process 30",
        ],
        listen: [
          {
            port: 80,
            http: {
              kind: "static",
              root: "/usr/share/nginx/html",
              index: ["index.html", "index.htm"],
              server: "nginx/{version}",
              notFoundPage:
                "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n",
              methodNotAllowed: {
                page: "<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n<center><h1>405 Not Allowed</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n",
                reason: "Not Allowed",
              },
            },
          },
        ],
        accessLog: "nginx",
        infoFlags: nginxInfoFlags,
        memoryBytes: 3_158_016,
        cpuMillicores: 0,
        stopLog: [
          "{time:nginx} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down",
          "{time:nginx} [notice] 29#29: gracefully shutting down",
          "{time:nginx} [notice] 29#29: exiting",
          "{time:nginx} [notice] 29#29: exit",
          "{time:nginx} [notice] 1#1: signal 17 (SIGCHLD) received from 29",
          "{time:nginx} [notice] 1#1: worker process 29 exited with code 0",
          "{time:nginx} [notice] 1#1: exit",
        ],
        stopExitCode: 0,
      },
    },
  },
  {
    repository: "docker.io/library/httpd",
    tags: releases(["2.4.62", 58220522, "latest 2 2.4 2.4.62"], ["2.4.62", 22412310, "alpine 2.4-alpine"]),
    userland: "gnu",
    os: "debian",
    config: {
      cmd: ["httpd-foreground"],
      env: [
        "PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HTTPD_PREFIX=/usr/local/apache2",
        "HTTPD_VERSION={version}",
      ],
      workingDir: "/usr/local/apache2",
      exposedPorts: ["80/tcp"],
      stopSignal: "SIGWINCH",
    },
    files: {
      "/usr/local/apache2/htdocs/index.html": "<html><body><h1>It works!</h1></body></html>\n",
      "/usr/local/apache2/conf/httpd.conf":
        'ServerRoot "/usr/local/apache2"\nListen 80\nDocumentRoot "/usr/local/apache2/htdocs"\n',
    },
    programs: {
      "/usr/local/apache2/bin/httpd-foreground": httpdServer,
      "/usr/local/apache2/bin/httpd": httpdServer,
    },
  },
  {
    repository: "docker.io/traefik/whoami",
    tags: releases(["1.10.3", 3364012, "latest v1.10 v1.10.3"]),
    userland: "none",
    os: "distroless",
    config: { entrypoint: ["/whoami"], exposedPorts: ["80/tcp"] },
    programs: {
      "/whoami": {
        kind: "server",
        startupLog: ["{time:go} Starting up on port {port}"],
        options: { "--port": "port", "-port": "port", "--name": "name", "-name": "name" },
        defaults: { port: "80" },
        listen: [{ port: 80, portOption: "port", http: { kind: "whoami" } }],
        memoryBytes: 2_215_936,
        cpuMillicores: 0,
        stopExitCode: 2,
      },
    },
  },
  {
    repository: "docker.io/hashicorp/http-echo",
    tags: releases(["1.0.0", 3511210, "latest 1.0 1.0.0"], ["0.2.3", 2862178, "0.2.3"]),
    userland: "none",
    os: "distroless",
    config: { entrypoint: ["/http-echo"], exposedPorts: ["5678/tcp"] },
    programs: {
      "/http-echo": {
        kind: "server",
        startupLog: ["{time:go} [INFO] server is listening on :{port}"],
        options: { "-text": "text", "--text": "text", "-listen": "listen", "--listen": "listen" },
        defaults: { listen: ":5678", text: "hello-world" },
        listen: [{ port: 5678, portOption: "listen", http: { kind: "text", option: "text" } }],
        memoryBytes: 1_826_816,
        cpuMillicores: 0,
        stopLog: ["{time:go} [INFO] server received interrupt, shutting down..."],
        stopExitCode: 0,
      },
    },
  },
  {
    repository: "registry.k8s.io/hpa-example",
    tags: releases(["1.0", 178421732, "latest"]),
    userland: "gnu",
    os: "debian",
    config: {
      cmd: ["apache2-foreground"],
      env: [standardPath, "PHP_VERSION=5.6.24"],
      workingDir: "/var/www/html",
      exposedPorts: ["80/tcp"],
      stopSignal: "SIGWINCH",
    },
    files: {
      "/var/www/html/index.php":
        '<?php\n  $x = 0.0001;\n  for ($i = 0; $i <= 1000000; $i++) {\n    $x += sqrt($x);\n  }\n  echo "OK!";\n?>\n',
    },
    programs: {
      "/usr/local/bin/apache2-foreground": {
        kind: "server",
        startupLog: [
          "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
          "[{time:apache}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.10 (Debian) PHP/5.6.24 configured -- resuming normal operations",
          "[{time:apache}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D FOREGROUND'",
        ],
        listen: [
          {
            port: 80,
            http: {
              kind: "routes",
              routes: {
                "/": { status: 200, body: "OK!", contentType: "text/html" },
                "/index.php": { status: 200, body: "OK!", contentType: "text/html" },
              },
            },
          },
        ],
        accessLog: "apache",
        memoryBytes: 11_534_336,
        cpuMillicores: 1,
        cpuMillicoresPerRequestPerSecond: 12,
        stopLog: ["[{time:apache}] [mpm_prefork:notice] [pid 1] AH00170: caught SIGWINCH, shutting down gracefully"],
        stopExitCode: 0,
      },
    },
  },
];
