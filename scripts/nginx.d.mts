export declare const NGINX: string | undefined;
export declare function freePort(): Promise<number>;
export declare function nginxConf(o: { dir: string; port: number; upstreams: string[] }): string;
export interface Nginx {
  url: string;
  stop(): Promise<void>;
}
export declare function startNginx(upstreams: string[]): Promise<Nginx>;
