// The annotation family of ingress-nginx, read by every annotation module.
export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';
