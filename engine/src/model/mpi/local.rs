//! Ranks as threads of this process, over channels: the transport the engine's tests and
//! benches drive the `mpi` model with, where no MPI launcher is. Everything but the transport
//! (the protocol, the schedules, rank 0's share, the records) is the code MPI runs.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::Ranks;

type Envelope = (usize, Vec<u8>);

/// One rank's end: its inbox, and a way to each rank it talks to (rank 0 to every rank, the
/// others to rank 0 alone, so that dropping rank 0 disconnects every inbox and ends the
/// serving threads).
#[derive(Debug)]
pub struct LocalRanks {
    rank: usize,
    size: usize,
    hosts: Vec<String>,
    inbox: Receiver<Envelope>,
    peers: Vec<Option<Sender<Envelope>>>,
}

impl LocalRanks {
    /// A job of `size` ranks (at least 1): rank 0 is returned, every other rank runs
    /// [`super::serve`] on a thread of its own until rank 0 is dropped or shuts it down.
    pub fn start(size: usize) -> Arc<dyn Ranks> {
        let size = size.max(1);
        let host = "localhost".to_string();
        let (senders, inboxes): (Vec<_>, Vec<_>) =
            (0..size).map(|_| crossbeam_channel::unbounded()).unzip();
        let mut inboxes = inboxes.into_iter();
        let root = LocalRanks {
            rank: 0,
            size,
            hosts: vec![host.clone(); size],
            inbox: inboxes.next().expect("one rank at least"),
            peers: senders.iter().cloned().map(Some).collect(),
        };
        for (rank, inbox) in (1..size).zip(inboxes) {
            let mut peers = vec![None; size];
            peers[0] = Some(senders[0].clone());
            let me = LocalRanks {
                rank,
                size,
                hosts: vec![host.clone(); size],
                inbox,
                peers,
            };
            std::thread::Builder::new()
                .name(format!("rank-{rank}"))
                .spawn(move || {
                    // Ends with an error once rank 0 is gone: nothing is left to serve.
                    let info = super::RankInfo {
                        rank,
                        host: me.hosts[rank].clone(),
                        cores: 1,
                        host_cores: None,
                        cpus: Vec::new(),
                    };
                    let _ = super::serve(&me, &info);
                })
                .expect("a thread for a local rank");
        }
        Arc::new(root)
    }
}

impl Ranks for LocalRanks {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn hosts(&self) -> &[String] {
        &self.hosts
    }

    fn send(&self, to: usize, bytes: Vec<u8>) -> Result<(), String> {
        let peer = self
            .peers
            .get(to)
            .and_then(Option::as_ref)
            .ok_or_else(|| format!("rank {} has no way to rank {to}", self.rank))?;
        peer.send((self.rank, bytes))
            .map_err(|_| format!("rank {to} is gone"))
    }

    fn try_recv(&self) -> Result<Option<(usize, Vec<u8>)>, String> {
        match self.inbox.try_recv() {
            Ok(m) => Ok(Some(m)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => {
                Err("every rank that could write here is gone".into())
            }
        }
    }
}
