//! The road the simulated GPS drives: [`Route`], a line of positions
//! followed at a steady speed, round and round when it is a loop, there
//! and back when it is not. A built-in loop ([`Route::builtin`]), or a GPX
//! track (`gpx_load`).

use std::fmt;
use std::path::PathBuf;

use super::geo::{closest_on_segment, Point};

/// Two points closer than this are one (a GPS standing still), metres.
const SAME_POINT_M: f64 = 0.01;

/// A route whose ends are closer than this is a loop, metres.
const LOOP_CLOSE_M: f64 = 30.0;

/// The built-in loop: five corners of a block of San Francisco's Mission
/// district, about 1.4 km round, driven east, north, west and south (the
/// first corner again at the end closes it). Its
/// longitudes are beyond -100, where a position printed with 6
/// significant digits (`-122.419`) is only good to 0.001 degrees, about
/// 88 m: the case the server's own position fields get wrong.
const BUILTIN: [Point; 6] = [
    Point::new(37.7691, -122.4220, 15.0),
    Point::new(37.7691, -122.4164, 12.0),
    Point::new(37.7709, -122.4164, 16.0),
    Point::new(37.7715, -122.4190, 22.0),
    Point::new(37.7709, -122.4220, 19.0),
    Point::new(37.7691, -122.4220, 15.0),
];

/// Why a route cannot be driven.
#[derive(Debug)]
#[non_exhaustive]
pub enum RouteError {
    /// The file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not GPX (not XML, or XML of another kind).
    NotGpx {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// What the GPX reader said.
        source: gpx::errors::GpxError,
    },
    /// Fewer than two distinct positions: nothing to drive along.
    TooShort {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// How many distinct positions it has (0 or 1).
        points: usize,
    },
}

impl RouteError {
    /// The same error, naming `path` as its file.
    pub(crate) fn in_file(self, path: &std::path::Path) -> RouteError {
        let path = Some(path.to_path_buf());
        match self {
            RouteError::NotGpx { source, .. } => RouteError::NotGpx { path, source },
            RouteError::TooShort { points, .. } => RouteError::TooShort { path, points },
            e => e,
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = |f: &mut fmt::Formatter<'_>, path: &Option<PathBuf>| match path {
            Some(p) => write!(f, "{}: ", p.display()),
            None => Ok(()),
        };
        match self {
            RouteError::Read { path, source } => write!(f, "{}: {source}", path.display()),
            RouteError::NotGpx { path, source } => {
                file(f, path)?;
                write!(f, "not a GPX file: {source}")
            }
            RouteError::TooShort { path, points } => {
                file(f, path)?;
                let what = if *points == 0 {
                    "no track or route points".to_string()
                } else {
                    "a route of one point".to_string()
                };
                write!(
                    f,
                    "{what}: a route needs at least two distinct positions to drive along"
                )
            }
        }
    }
}

impl std::error::Error for RouteError {
    /// The reader's own error is part of this one's text: its cause is
    /// this one's cause.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RouteError::NotGpx { source, .. } => source.source(),
            _ => None,
        }
    }
}

/// Where a route passes a position closest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closest {
    /// The point of the route.
    pub point: Point,
    /// How far along the route it is, metres from its start.
    pub along_m: f64,
    /// Its distance from the position, metres (on the ground).
    pub distance_m: f64,
}

/// A road to drive: positions joined by straight lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    points: Vec<Point>,
    /// Distance from the start to each point, and (last) the length.
    along: Vec<f64>,
    looped: bool,
}

impl Route {
    /// The built-in loop: about 1.4 km round a block of San Francisco
    /// (longitude -122.42).
    pub fn builtin() -> Route {
        Route::new(BUILTIN.to_vec()).expect("the built-in loop is a route")
    }

    /// A route through `points`, in order. Repeated positions count once;
    /// when the last is within 30 m of the first, it is a loop (driven
    /// round and round), otherwise it is driven there and back.
    ///
    /// # Errors
    /// [`RouteError::TooShort`] with fewer than two distinct positions.
    pub fn new(mut points: Vec<Point>) -> Result<Route, RouteError> {
        points.retain(|p| p.lat.is_finite() && p.lon.is_finite());
        points.dedup_by(|b, a| a.distance_m(b) < SAME_POINT_M);
        if points.len() < 2 {
            return Err(RouteError::TooShort {
                path: None,
                points: points.len(),
            });
        }
        let (first, last) = (points[0], points[points.len() - 1]);
        let looped = points.len() > 2 && first.distance_m(&last) < LOOP_CLOSE_M;
        if looped && first.distance_m(&last) < SAME_POINT_M {
            points.pop();
        }
        let mut along = vec![0.0];
        let n = points.len();
        let legs = if looped { n } else { n - 1 };
        for i in 0..legs {
            let d = points[i].distance_m(&points[(i + 1) % n]);
            along.push(along[i] + d);
        }
        Ok(Route {
            points,
            along,
            looped,
        })
    }

    /// The positions it joins, in order (a loop's last joins its first).
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// Its length, metres (a loop's once round).
    pub fn length_m(&self) -> f64 {
        self.along[self.along.len() - 1]
    }

    /// True when it is a loop (its ends within 30 m of each other).
    pub fn is_loop(&self) -> bool {
        self.looped
    }

    /// The straight legs: the index of each leg's first point, its ends
    /// and the distance along the route to its start.
    fn legs(&self) -> impl Iterator<Item = (usize, Point, Point, f64)> + '_ {
        let n = self.points.len();
        (0..self.along.len() - 1)
            .map(move |i| (i, self.points[i], self.points[(i + 1) % n], self.along[i]))
    }

    /// The position `along_m` metres from the start (wrapped round a
    /// loop, held at the ends of another) and the direction of the road
    /// there, degrees clockwise from north.
    pub fn at(&self, along_m: f64) -> (Point, f64) {
        let len = self.length_m();
        let s = if self.looped {
            along_m.rem_euclid(len)
        } else {
            along_m.clamp(0.0, len)
        };
        let i = self
            .along
            .partition_point(|&a| a <= s)
            .clamp(1, self.along.len() - 1)
            - 1;
        let n = self.points.len();
        let (a, b) = (self.points[i], self.points[(i + 1) % n]);
        let leg = self.along[i + 1] - self.along[i];
        let t = if leg > 0.0 {
            (s - self.along[i]) / leg
        } else {
            0.0
        };
        (a.lerp(&b, t.clamp(0.0, 1.0)), a.bearing_deg(&b))
    }

    /// Where a vehicle is after `travelled_m` metres at a steady speed
    /// from the start, and its heading: round and round a loop; there and
    /// back along another, turning at each end.
    pub fn travel(&self, travelled_m: f64) -> (Point, f64) {
        if self.looped {
            return self.at(travelled_m);
        }
        let len = self.length_m();
        let s = travelled_m.rem_euclid(2.0 * len);
        if s <= len {
            self.at(s)
        } else {
            let (p, heading) = self.at(2.0 * len - s);
            (p, (heading + 180.0).rem_euclid(360.0))
        }
    }

    /// Where the route passes `p` closest (the first such place, when
    /// several are as close).
    pub fn closest(&self, p: &Point) -> Closest {
        let mut best: Option<Closest> = None;
        for (i, a, b, start) in self.legs() {
            let (t, d) = closest_on_segment(&a, &b, p);
            if best.is_none_or(|c| d < c.distance_m) {
                best = Some(Closest {
                    point: a.lerp(&b, t),
                    along_m: start + (self.along[i + 1] - start) * t,
                    distance_m: d,
                });
            }
        }
        best.expect("a route has at least one leg")
    }

    /// Where the route passes `p` closest, among the places at least
    /// `apart_m` metres along the route (round a loop) from `along_m`;
    /// `None` when the route has no such place.
    pub fn closest_apart(&self, p: &Point, along_m: f64, apart_m: f64) -> Option<Closest> {
        let len = self.length_m();
        let far = |s: f64| {
            let d = (s - along_m).abs();
            let d = if self.looped { d.min(len - d) } else { d };
            d >= apart_m
        };
        // Each leg is cut in steps of a metre (longer on a route over
        // 50 km), so that the part of a leg inside the window is left out
        // to within a step.
        let step = (len / 50_000.0).max(1.0);
        let mut best: Option<Closest> = None;
        for (_, a, b, start) in self.legs() {
            let leg = a.distance_m(&b);
            let steps = (leg / step).ceil().max(1.0) as usize;
            for k in 0..steps {
                let (t0, t1) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
                let (s0, s1) = (start + leg * t0, start + leg * t1);
                if !far(s0) || !far(s1) {
                    continue;
                }
                let (u, d) = closest_on_segment(&a.lerp(&b, t0), &a.lerp(&b, t1), p);
                if best.is_none_or(|c| d < c.distance_m) {
                    let t = t0 + (t1 - t0) * u;
                    best = Some(Closest {
                        point: a.lerp(&b, t),
                        along_m: start + leg * t,
                        distance_m: d,
                    });
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in loop is a loop of 1 to 2 km at longitude -122.42; its
    /// first leg heads due east, and driving it comes back to the start.
    #[test]
    fn builtin_loop() {
        let r = Route::builtin();
        assert!(r.is_loop());
        assert!((1000.0..2000.0).contains(&r.length_m()), "{}", r.length_m());
        let (start, heading) = r.travel(0.0);
        assert_eq!((start, heading), (BUILTIN[0], 90.0));
        let (again, _) = r.travel(r.length_m());
        assert!(again.distance_m(&start) < 1e-6);
        let (p, heading) = r.travel(100.0);
        assert!((p.distance_m(&start) - 100.0).abs() < 1e-6);
        assert_eq!(heading, 90.0);
        assert!(r.points().iter().all(|p| p.lon < -100.0));
    }

    /// An open route is driven there and back: past its end the vehicle
    /// turns and heads back the way it came.
    #[test]
    fn open_route_there_and_back() {
        let a = Point::new(37.0, -122.0, 0.0);
        let b = a.moved(0.0, 500.0);
        let r = Route::new(vec![a, b]).unwrap();
        assert!(!r.is_loop());
        assert_eq!(r.travel(100.0).1, 0.0);
        let (p, heading) = r.travel(600.0);
        assert!((p.distance_m(&a) - 400.0).abs() < 1e-6);
        assert_eq!(heading, 180.0);
        assert!(r.travel(1000.0).0.distance_m(&a) < 1e-6);
    }

    /// One position, or the same one repeated, is no route.
    #[test]
    fn one_point_is_too_short() {
        let a = Point::new(37.0, -122.0, 0.0);
        assert!(matches!(
            Route::new(vec![a, a, a]),
            Err(RouteError::TooShort { points: 1, .. })
        ));
        assert!(matches!(
            Route::new(Vec::new()),
            Err(RouteError::TooShort { points: 0, .. })
        ));
    }

    /// The closest place is found on the right leg; leaving out the
    /// stretch around it finds the next pass (here, across the loop).
    #[test]
    fn closest_and_closest_apart() {
        let r = Route::builtin();
        let (on, _) = r.at(250.0);
        let p = on.moved(0.0, -12.0);
        let c = r.closest(&p);
        assert!((c.along_m - 250.0).abs() < 1e-3, "{c:?}");
        assert!((c.distance_m - 12.0).abs() < 1e-3, "{c:?}");
        let other = r.closest_apart(&p, c.along_m, 40.0).unwrap();
        assert!(other.distance_m > 40.0 - 12.0, "{other:?}");
        assert!((other.along_m - c.along_m).abs() >= 40.0 - 1.0, "{other:?}");
    }
}
