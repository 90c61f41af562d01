export { AmiMessage, type AmiField } from "./message.js";
