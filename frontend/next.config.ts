import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The tenant and the backend are read from the environment at request time, so one
  // build serves every business; nothing here may depend on them.
  poweredByHeader: false,
  // Django's routes end in "/"; the proxy keeps the browser's path as it is instead
  // of answering every API call with a redirect to the slash-less form.
  skipTrailingSlashRedirect: true,
  reactStrictMode: true,
};

export default nextConfig;
