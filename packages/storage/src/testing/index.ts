export { storageDriverContract, type ContractRunner, type DriverFixture } from './driver-contract.js';
export { startSwift, swiftAvailable, swiftRequired, SwiftUnavailableError, type SwiftServer, type StartSwiftOptions } from './swift.js';
