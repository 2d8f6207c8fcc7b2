export const runHot = (_o: { requests: number }) => Promise.reject(new Error('todo'));
