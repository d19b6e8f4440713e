export const PORTICO_VERSION = '0.1.0';
