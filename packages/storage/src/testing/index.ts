export { storageDriverContract, type ContractRunner, type DriverFixture } from './driver-contract.js';
export { startSwift, swiftAvailable, SwiftUnavailableError, type SwiftServer, type StartSwiftOptions } from './swift.js';
