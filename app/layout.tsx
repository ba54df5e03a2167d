import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "highlight.js/styles/github-dark.css";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Kubelab", template: "%s · Kubelab" },
  description: "A hands-on Kubernetes course with a cluster of your own in the browser.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="site-title">
            Kubelab
          </Link>
          <span className="site-tagline">Learn Kubernetes by doing</span>
        </header>
        {children}
      </body>
    </html>
  );
}
