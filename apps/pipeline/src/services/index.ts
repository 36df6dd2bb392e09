export type { ServiceState } from "./service";
export {
  formatStatus,
  LAKE_BUCKET,
  LOCAL_SERVICES,
  type LocalServiceName,
  servicesDown,
  servicesStatus,
  servicesUp,
  stackServices,
} from "./stack";
