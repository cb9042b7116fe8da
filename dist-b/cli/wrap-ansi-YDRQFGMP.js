import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  wrapAnsi
} from "./chunk-W6INND4Z.js";
import "./chunk-UU7UGVXX.js";
import "./chunk-V4RWK56N.js";
export {
  wrapAnsi as default
};
